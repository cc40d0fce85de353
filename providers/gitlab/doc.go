// Package gitlab is the GitLab preset: OpenID Connect against GitLab.com
// or a self-managed GitLab (Host) through providers/oidc, so the id_token
// is verified and its Claims method works.
//
// Register an application in GitLab (User settings, Applications; or a
// group's or the instance's Applications page): confidential, redirect URI
// https://<your host>/login/gitlab/authorized, scopes openid, profile and
// email (and read_user or api to call the REST API). Then:
//
//	gl := gitlab.New(gitlab.Config{}) // GITLAB_CLIENT_ID, GITLAB_CLIENT_SECRET; Host: "gitlab.example.com" for self-managed
//	gl.Mount(r.Group("/login"))
//	r.GET("/", gl.Require(), func(c *gin.Context) {
//		id, err := gl.Identity(c) // ID, Username (the GitLab username), Name, Email, AvatarURL
//		...
//	})
//
// Identity merges userinfo (which alone carries groups) over the id_token
// and takes nickname as the username when preferred_username is missing.
// GitLab access tokens expire after two hours and come with a refresh
// token, which the blueprint uses; Logout revokes at the discovered
// /oauth/revoke. Client resolves paths against https://<Host>/api/v4/.
package gitlab
