"""Third-party OAuth clients on Flask, logging in against gindance's fake
providers (gintest, examples/provider), for gindance's interop tests.

One client per process, chosen with --client:

    flaskdance-oauth2  Flask-Dance's OAuth2ConsumerBlueprint (no PKCE in
                       Flask-Dance 6), refresh through requests-oauthlib's
                       auto_refresh_url
    authlib-oauth2     Authlib's Flask client, PKCE S256, refresh through
                       update_token
    authlib-oidc       Authlib's Flask client on OpenID Connect discovery:
                       PKCE S256, nonce, the id_token verified by Authlib
    flaskdance-oauth1  Flask-Dance's OAuth1ConsumerBlueprint (RFC 5849); with
                       --keep-request-secret, a hook that carries the request
                       token secret to the callback, which Flask-Dance 6 drops

    python3 flask_clients.py --port 8766 --client authlib-oidc --base http://127.0.0.1:9000

The test drives a browser through GET /login, and reads what the client
observed as JSON: GET /result after the login, GET /api to call the API
again (refreshing an expired token), POST /post for OAuth 1.0a's signed form
body. A failure in the client answers 500 with {"error": "..."}.
"""

import argparse
import os

# Loopback without TLS, and providers that may grant fewer scopes.
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
os.environ.setdefault("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

import flask  # noqa: E402
from flask import jsonify, redirect, request, session, url_for  # noqa: E402

CLIENT_ID = "gintest-client"
CLIENT_SECRET = "gintest-client-secret"
CONSUMER_KEY = "gintest-consumer"
CONSUMER_SECRET = "gintest-consumer-secret"


def flaskdance_oauth2(app, base):
    from flask_dance.consumer import OAuth2ConsumerBlueprint

    bp = OAuth2ConsumerBlueprint(
        "fd", __name__,
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
        base_url=base + "/api/",
        authorization_url=base + "/authorize",
        token_url=base + "/token",
        auto_refresh_url=base + "/token",
        # Flask-Dance's docs pass client_secret here too; requests-oauthlib
        # 1.3 then sends it in the body and in HTTP Basic at once, which
        # RFC 6749 §2.3.1 forbids and gintest refuses. Basic carries it.
        auto_refresh_kwargs={"client_id": CLIENT_ID},
        scope=["profile", "email"],
        redirect_to="result",
    )
    app.register_blueprint(bp, url_prefix="/login")

    def call_api():
        resp = bp.session.get("me")
        return {"status": resp.status_code, "me": resp.json(), "token": bp.token}

    return (lambda: redirect(url_for("fd.login"))), call_api


def authlib_oauth2(app, base, oidc):
    from authlib.integrations.flask_client import OAuth

    def update_token(token, refresh_token=None, access_token=None):
        session["token"] = dict(token)
        session["refreshes"] = session.get("refreshes", 0) + 1

    oauth = OAuth(app)
    if oidc:
        client = oauth.register(
            "idp", client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
            server_metadata_url=base + "/.well-known/openid-configuration",
            client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"},
            update_token=update_token,
        )
    else:
        client = oauth.register(
            "idp", client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
            authorize_url=base + "/authorize", access_token_url=base + "/token",
            api_base_url=base + "/api/",
            client_kwargs={"scope": "profile email", "code_challenge_method": "S256"},
            update_token=update_token,
        )

    @app.get("/authorized")
    def authorized():
        token = client.authorize_access_token()  # verifies the id_token (OIDC)
        claims = token.pop("userinfo", None)
        session["token"] = dict(token)
        session["claims"] = dict(claims) if claims else None
        return redirect(url_for("result"))

    def call_api():
        token = session["token"]
        if oidc:
            me = dict(client.userinfo(token=token))
            status = 200
        else:
            resp = client.get("me", token=token)
            status, me = resp.status_code, resp.json()
        return {"status": status, "me": me, "token": session["token"],
                "claims": session.get("claims"), "refreshes": session.get("refreshes", 0)}

    def login():
        return client.authorize_redirect(url_for("authorized", _external=True))

    return login, call_api


def flaskdance_oauth1(app, base, keep_request_secret):
    from flask_dance.consumer import OAuth1ConsumerBlueprint, oauth_before_login

    bp = OAuth1ConsumerBlueprint(
        "fd1", __name__,
        client_key=CONSUMER_KEY, client_secret=CONSUMER_SECRET,
        base_url=base + "/1.1/",
        request_token_url=base + "/oauth/request_token",
        authorization_url=base + "/oauth/authenticate",
        access_token_url=base + "/oauth/access_token",
        redirect_to="result",
    )
    app.register_blueprint(bp, url_prefix="/login")

    if keep_request_secret:
        # Flask-Dance 6 keeps the request token secret only in a requests
        # session that ends with the login request, and so signs the access
        # token request without it (RFC 5849 §3.4.2 wants it in the key).
        # Keep it in the Flask session from login to callback.
        @oauth_before_login.connect_via(bp)
        def keep_secret(blueprint, url):
            session["fd1_request_secret"] = blueprint.session._client.client.resource_owner_secret

        @app.before_request
        def restore_secret():
            if request.endpoint == "fd1.authorized" and "fd1_request_secret" in session:
                bp.session._client.client.resource_owner_secret = session.pop("fd1_request_secret")

    @app.post("/post")
    def post():
        resp = bp.session.post("statuses/update.json", data={"status": request.form["status"]})
        return jsonify(status=resp.status_code, body=resp.json())

    def call_api():
        resp = bp.session.get("account/verify_credentials.json", params={"include_email": "true"})
        return {"status": resp.status_code, "me": resp.json(), "token": dict(bp.token)}

    return (lambda: redirect(url_for("fd1.login"))), call_api


def create_app(kind, base, keep_request_secret=False):
    app = flask.Flask(__name__)
    app.secret_key = os.urandom(32)
    if kind == "flaskdance-oauth2":
        login, call_api = flaskdance_oauth2(app, base)
    elif kind == "authlib-oauth2":
        login, call_api = authlib_oauth2(app, base, oidc=False)
    elif kind == "authlib-oidc":
        login, call_api = authlib_oauth2(app, base, oidc=True)
    elif kind == "flaskdance-oauth1":
        login, call_api = flaskdance_oauth1(app, base, keep_request_secret)
    else:
        raise SystemExit("unknown --client " + kind)

    @app.errorhandler(Exception)
    def failed(error):
        return jsonify(error="%s: %s" % (type(error).__name__, error)), 500

    @app.get("/health")
    def health():
        return "ok"

    app.add_url_rule("/login", "login", login)

    @app.get("/result")
    def result():
        return jsonify(call_api())

    @app.get("/api")
    def api():
        return jsonify(call_api())

    return app


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--client", required=True)
    ap.add_argument("--base", required=True, help="the provider's base URL")
    ap.add_argument("--keep-request-secret", action="store_true",
                    help="flaskdance-oauth1: keep the request token secret from login to callback")
    args = ap.parse_args()
    create_app(args.client, args.base.rstrip("/"), args.keep_request_secret).run(
        host="127.0.0.1", port=args.port, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
