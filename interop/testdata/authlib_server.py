"""An OAuth 2.0 and OAuth 1.0a authorization server on Authlib's Flask
integrations, for gindance's interop tests.

It is laid out like Authlib's example server (grants and models of its own,
a consent page, a protected user API), with everything kept in dicts that
end with the process. Run it with Debian's /usr/bin/python3:

    python3 authlib_server.py --port 8765 --token-lifetime 60

OAuth 2.0 (RFC 6749, PKCE S256 required, RFC 7009 revocation):
    GET/POST /oauth2/authorize   consent page: a name and Allow or Deny
    POST     /oauth2/token       authorization_code and refresh_token grants;
                                 refresh tokens rotate, the old one is revoked
    POST     /oauth2/revoke      RFC 7009
    GET      /oauth2/api/me      the user, for a Bearer token

OAuth 1.0a (RFC 5849, HMAC-SHA1):
    POST     /oauth1/initiate    temporary credentials
    GET/POST /oauth1/authorize   consent page
    POST     /oauth1/token       token credentials
    GET      /oauth1/api/me      the user, for a signed request
    POST     /oauth1/api/echo    the form fields, for a signed form body

GET /health answers once the server listens; GET /stats counts what the
tests assert on (grants, revocations, OAuth 1.0a tokens and API calls).
"""

import argparse
import os
import threading
import time
from urllib.parse import urlsplit

# Loopback without TLS: Authlib refuses plain http unless told.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

from flask import Flask, jsonify, request, render_template_string  # noqa: E402
from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.flask_oauth1 import (  # noqa: E402
    AuthorizationServer as OAuth1Server,
    ResourceProtector as OAuth1Protector,
    current_credential,
)
from authlib.integrations.flask_oauth2 import (  # noqa: E402
    AuthorizationServer as OAuth2Server,
    ResourceProtector as OAuth2Protector,
    current_token,
)
from authlib.oauth1 import ClientMixin as OAuth1ClientMixin  # noqa: E402
from authlib.oauth1 import TemporaryCredential, TokenCredentialMixin  # noqa: E402
from authlib.oauth1.errors import OAuth1Error  # noqa: E402
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, AuthorizationCodeMixin  # noqa: E402
from authlib.oauth2 import OAuth2Error  # noqa: E402
from authlib.oauth2.rfc6749 import grants  # noqa: E402
from authlib.oauth2.rfc6750 import BearerTokenValidator  # noqa: E402
from authlib.oauth2.rfc7009 import RevocationEndpoint  # noqa: E402
from authlib.oauth2.rfc7636 import CodeChallenge  # noqa: E402

OAUTH2_CLIENT_ID = "gindance-client"
OAUTH2_CLIENT_SECRET = "gindance-client-secret"
OAUTH1_CONSUMER_KEY = "gindance-consumer"
OAUTH1_CONSUMER_SECRET = "gindance-consumer-secret"

lock = threading.Lock()
stats = {"authorization_code": 0, "refresh_token": 0, "revoked": 0,
         "oauth1_access_tokens": 0, "oauth1_api_calls": 0}


def count(key):
    with lock:
        stats[key] += 1


class User:
    def __init__(self, name):
        self.id = "user-" + name
        self.name = name

    def get_user_id(self):
        return self.id


users = {}


def user_named(name):
    with lock:
        return users.setdefault(name, User(name))


def loopback_http(uri):
    """Any http URI on a loopback host, any port (RFC 8252 §7.3)."""
    try:
        u = urlsplit(uri)
    except ValueError:
        return False
    return u.scheme == "http" and u.hostname in ("127.0.0.1", "localhost", "::1") and not u.fragment


# --- OAuth 2.0 models -------------------------------------------------------

class Client(ClientMixin):
    client_id = OAUTH2_CLIENT_ID
    client_secret = OAUTH2_CLIENT_SECRET

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        allowed = {"profile", "email"}
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri):
        return loopback_http(redirect_uri)

    def check_client_secret(self, client_secret):
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type in ("authorization_code", "refresh_token")


CLIENT = Client()


class AuthorizationCode(AuthorizationCodeMixin):
    def __init__(self, code, client_id, redirect_uri, scope, user, challenge, method):
        self.code, self.client_id, self.redirect_uri = code, client_id, redirect_uri
        self.scope, self.user = scope, user
        self.code_challenge, self.code_challenge_method = challenge, method
        self.auth_time = time.time()

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope


class Token(TokenMixin):
    def __init__(self, data, client_id, user):
        self.access_token = data["access_token"]
        self.refresh_token = data.get("refresh_token")
        self.scope = data.get("scope", "")
        self.expires_in = data["expires_in"]
        self.issued_at = time.time()
        self.client_id, self.user = client_id, user
        self.revoked = False

    def check_client(self, client):
        return client.get_client_id() == self.client_id

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return self.expires_in

    def is_expired(self):
        return time.time() >= self.issued_at + self.expires_in

    def is_revoked(self):
        return self.revoked


codes = {}
access_tokens = {}
refresh_tokens = {}


def query_client(client_id):
    return CLIENT if client_id == CLIENT.client_id else None


def save_token(data, req):
    tok = Token(data, req.client.get_client_id(), req.user)
    with lock:
        access_tokens[tok.access_token] = tok
        if tok.refresh_token:
            refresh_tokens[tok.refresh_token] = tok


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code, req):
        with lock:
            codes[code] = AuthorizationCode(
                code, req.client.get_client_id(), req.redirect_uri, req.scope, req.user,
                req.data.get("code_challenge"), req.data.get("code_challenge_method"))

    def query_authorization_code(self, code, client):
        with lock:
            item = codes.get(code)
        if item and item.client_id == client.get_client_id():
            return item
        return None

    def delete_authorization_code(self, authorization_code):
        # Single use: the code is gone after its first exchange.
        with lock:
            codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        count("authorization_code")
        return authorization_code.user


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation

    def authenticate_refresh_token(self, refresh_token):
        with lock:
            tok = refresh_tokens.get(refresh_token)
        if tok and not tok.revoked:
            return tok
        return None

    def authenticate_user(self, credential):
        count("refresh_token")
        return credential.user

    def revoke_old_credential(self, credential):
        # The refresh token presented is spent; so is its access token.
        credential.revoked = True


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def query_token(self, token_string, token_type_hint):
        with lock:
            if token_type_hint == "access_token":
                return access_tokens.get(token_string)
            if token_type_hint == "refresh_token":
                return refresh_tokens.get(token_string)
            return access_tokens.get(token_string) or refresh_tokens.get(token_string)

    def revoke_token(self, token, req):
        token.revoked = True
        count("revoked")


class Validator(BearerTokenValidator):
    def authenticate_token(self, token_string):
        with lock:
            return access_tokens.get(token_string)


# --- OAuth 1.0a models ------------------------------------------------------

class Consumer(OAuth1ClientMixin):
    client_id = OAUTH1_CONSUMER_KEY

    def get_default_redirect_uri(self):
        return None

    def get_client_secret(self):
        return OAUTH1_CONSUMER_SECRET

    def get_rsa_public_key(self):
        return None


CONSUMER = Consumer()


class TokenCredential(dict, TokenCredentialMixin):
    def get_oauth_token(self):
        return self["oauth_token"]

    def get_oauth_token_secret(self):
        return self["oauth_token_secret"]

    def get_user_id(self):
        return self["user_id"]


temporary = {}
oauth1_tokens = {}
nonces = set()


def query_consumer(client_id):
    return CONSUMER if client_id == CONSUMER.client_id else None


def exists_nonce(nonce, timestamp, client_id, token):
    key = (nonce, timestamp, client_id, token)
    with lock:
        seen = key in nonces
        nonces.add(key)
    return seen


def create_temporary_credential(token, client_id, redirect_uri):
    cred = TemporaryCredential(token, client_id=client_id, oauth_callback=redirect_uri)
    with lock:
        temporary[token["oauth_token"]] = cred
    return cred


def get_temporary_credential(oauth_token):
    with lock:
        return temporary.get(oauth_token)


def delete_temporary_credential(oauth_token):
    with lock:
        temporary.pop(oauth_token, None)


def create_authorization_verifier(credential, user, verifier):
    credential["oauth_verifier"] = verifier
    credential["user_id"] = user.get_user_id()
    credential["user_name"] = user.name


def create_token_credential(token, temporary_credential):
    cred = TokenCredential(token, client_id=temporary_credential.get_client_id(),
                           user_id=temporary_credential.get_user_id(),
                           user_name=temporary_credential["user_name"])
    with lock:
        oauth1_tokens[cred["oauth_token"]] = cred
    count("oauth1_access_tokens")
    return cred


def query_oauth1_token(client_id, oauth_token):
    with lock:
        cred = oauth1_tokens.get(oauth_token)
    if cred and cred["client_id"] == client_id:
        return cred
    return None


# --- the app ----------------------------------------------------------------

CONSENT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Authlib interop: consent</title></head>
<body><h1>{{ what }}</h1>
<form method="post">
<label>Name <input type="text" name="username" required></label>
<button type="submit" name="confirm" value="yes">Allow</button>
<button type="submit" name="confirm" value="no" formnovalidate>Deny</button>
</form></body></html>
"""


def create_app(token_lifetime):
    app = Flask(__name__)
    app.config["OAUTH2_REFRESH_TOKEN_GENERATOR"] = True
    app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {
        "authorization_code": token_lifetime,
        "refresh_token": token_lifetime,
    }

    oauth2 = OAuth2Server(app, query_client=query_client, save_token=save_token)
    oauth2.register_grant(AuthorizationCodeGrant, [CodeChallenge(required=True)])
    oauth2.register_grant(RefreshTokenGrant)
    oauth2.register_endpoint(Revocation)
    require_oauth2 = OAuth2Protector()
    require_oauth2.register_token_validator(Validator())

    oauth1 = OAuth1Server(app, query_client=query_consumer)
    for name, fn in [("exists_nonce", exists_nonce),
                     ("create_temporary_credential", create_temporary_credential),
                     ("get_temporary_credential", get_temporary_credential),
                     ("delete_temporary_credential", delete_temporary_credential),
                     ("create_authorization_verifier", create_authorization_verifier),
                     ("create_token_credential", create_token_credential)]:
        oauth1.register_hook(name, fn)
    require_oauth1 = OAuth1Protector(app, query_client=query_consumer,
                                     query_token=query_oauth1_token, exists_nonce=exists_nonce)

    @app.get("/health")
    def health():
        return "ok"

    @app.get("/stats")
    def get_stats():
        with lock:
            return jsonify(stats)

    def consenting_user():
        """The user who pressed Allow, or None for Deny."""
        if request.form.get("confirm") != "yes":
            return None
        return user_named(request.form.get("username", "").strip() or "anonymous")

    @app.route("/oauth2/authorize", methods=["GET", "POST"])
    def oauth2_authorize():
        if request.method == "GET":
            try:
                grant = oauth2.get_consent_grant(end_user=None)
            except OAuth2Error as error:  # shown, not redirected (RFC 6749 §4.1.2.1)
                return jsonify(dict(error.get_body())), 400
            return render_template_string(CONSENT, what="Allow %s?" % grant.client.get_client_id())
        return oauth2.create_authorization_response(grant_user=consenting_user())

    @app.post("/oauth2/token")
    def oauth2_token():
        return oauth2.create_token_response()

    @app.post("/oauth2/revoke")
    def oauth2_revoke():
        return oauth2.create_endpoint_response(Revocation.ENDPOINT_NAME)

    @app.get("/oauth2/api/me")
    @require_oauth2("profile")
    def oauth2_me():
        user = current_token.user
        return jsonify(id=user.id, username=user.name, name=user.name.title(),
                       email=user.name + "@authlib.test", scope=current_token.scope)

    @app.post("/oauth1/initiate")
    def oauth1_initiate():
        return oauth1.create_temporary_credentials_response()

    @app.route("/oauth1/authorize", methods=["GET", "POST"])
    def oauth1_authorize():
        if request.method == "GET":
            try:
                oauth1.check_authorization_request()
            except OAuth1Error as error:
                return jsonify(dict(error.get_body())), 400
            return render_template_string(CONSENT, what="Allow %s?" % OAUTH1_CONSUMER_KEY)
        try:
            return oauth1.create_authorization_response(grant_user=consenting_user())
        except OAuth1Error as error:
            return jsonify(dict(error.get_body())), 400

    @app.post("/oauth1/token")
    def oauth1_token():
        return oauth1.create_token_response()

    @app.get("/oauth1/api/me")
    @require_oauth1()
    def oauth1_me():
        count("oauth1_api_calls")
        cred = current_credential
        return jsonify(id=cred["user_id"], username=cred["user_name"], query=request.args.to_dict())

    @app.post("/oauth1/api/echo")
    @require_oauth1()
    def oauth1_echo():
        count("oauth1_api_calls")
        return jsonify(user=current_credential["user_name"], form=request.form.to_dict())

    return app


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--token-lifetime", type=int, default=3600, help="access token lifetime, seconds")
    args = ap.parse_args()
    app = create_app(args.token_lifetime)
    app.run(host="127.0.0.1", port=args.port, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
