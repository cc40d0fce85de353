// Package microsoft is the Microsoft identity platform preset (Entra ID,
// formerly Azure AD, and personal Microsoft accounts): OpenID Connect
// through providers/oidc, so the id_token is verified and Claims
// works.
//
// Tenant selects the audience: a tenant ID for a single-tenant app
// (issuer https://login.microsoftonline.com/<tenant ID>/v2.0, exact);
// Organizations or Common (the default) for a multi-tenant app, which uses
// the issuer template https://login.microsoftonline.com/{tenantid}/v2.0:
// each id_token's iss must be the template with its own tid, and
// Tenants/AllowTenant restrict the tenants (Organizations also refuses
// personal accounts, tid ConsumersTenantID); Consumers for personal
// accounts only (the consumers tenant's fixed issuer).
//
// Identity comes from the claims (oid as ID, preferred_username, name,
// email; Entra does not verify email, so EmailVerified is only set by the
// optional xms_edov claim), or with Graph from Microsoft Graph's /me.
//
// Register the app in the Microsoft Entra admin center (Identity,
// Applications, App registrations, New registration): pick the supported
// account types that match Tenant, add a Web platform redirect URI
// https://<your host>/login/microsoft/authorized, and create a client
// secret under Certificates & secrets. The Application (client) ID and the
// secret's value go in MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET; the
// Directory (tenant) ID is Tenant for a single-tenant app. For email and
// xms_edov add the optional claims under Token configuration.
//
//	ms := microsoft.New(microsoft.Config{Tenant: microsoft.Organizations, Tenants: allowed})
//	ms.Mount(r.Group("/login"))
//
// Authority (national clouds), Issuer, IssuerTemplate, DiscoveryURL and
// APIBaseURL are overridable, for tests against gintest.OIDCProvider.
package microsoft
