/*
Copyright 2026 The apitoken-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package console

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"k8s.io/apiserver/pkg/authentication/user"
)

// The session cookie holds the Kubernetes bearer token pasted at login. It
// is HttpOnly (never reaches JavaScript), SameSite=Strict, scoped to
// /console, Secure with the __Secure- prefix when the listener serves TLS
// (the __Host- prefix would require Path=/), and split across numbered
// cookies when the token is longer than one cookie may be.
const (
	cookieBase     = "apitoken-console"
	securePrefix   = "__Secure-"
	cookiePath     = "/console"
	cookieChunk    = 3800
	maxCookieParts = 8
)

func (c *Console) cookieName(i int) string {
	name := cookieBase
	if c.opts.Secure {
		name = securePrefix + name
	}
	if i > 0 {
		name += "-" + strconv.Itoa(i)
	}
	return name
}

// session is an authenticated console request: the credential to send to
// the API on the person's behalf, and who they are.
type session struct {
	credential string
	user       user.Info
	// viaCookie says the person logged in here (and may log out).
	viaCookie bool
}

// credential is what identifies the request: an Authorization header (an
// auth proxy's, or a script's), else the session cookie.
func (c *Console) credential(r *http.Request) (string, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		return h, false
	}
	var b strings.Builder
	for i := range maxCookieParts {
		ck, err := r.Cookie(c.cookieName(i))
		if err != nil {
			break
		}
		b.WriteString(ck.Value)
	}
	if b.Len() == 0 {
		return "", false
	}
	return "Bearer " + b.String(), true
}

// authenticate asks the query API's authenticator who credential is;
// under --query-auth=none everyone is anonymous, with or without one.
func (c *Console) authenticate(ctx context.Context, credential string) (user.Info, bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "/console/", nil)
	if err != nil {
		return nil, false
	}
	if credential != "" {
		req.Header.Set("Authorization", credential)
	}
	res, ok, err := c.opts.Authenticator.AuthenticateRequest(req)
	if err != nil || !ok || res == nil || res.User == nil {
		return nil, false
	}
	return res.User, true
}

// authenticated runs h for a request whose credential the API server
// accepts; others go to the login page.
func (c *Console) authenticated(h func(http.ResponseWriter, *http.Request, *session)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cred, viaCookie := c.credential(r)
		u, ok := c.authenticate(r.Context(), cred)
		if !ok {
			if cred != "" && viaCookie {
				c.clearCookies(w, r)
			}
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/console/login", http.StatusSeeOther)
				return
			}
			c.renderError(w, r, nil, http.StatusUnauthorized, "Your session has ended: log in again.")
			return
		}
		h(w, r, &session{credential: cred, user: u, viaCookie: viaCookie})
	})
}

// loginPage asks for a Kubernetes token, unless the request already has a
// credential (or needs none).
func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	// Without a credential only --query-auth=none lets the request in.
	cred, _ := c.credential(r)
	if _, ok := c.authenticate(r.Context(), cred); ok {
		http.Redirect(w, r, "/console/", http.StatusSeeOther)
		return
	}
	c.render(w, http.StatusOK, "login", page{Title: "Log in"})
}

// login checks the pasted token with TokenReview and keeps it in the
// session cookie.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	token := strings.TrimSpace(r.PostFormValue("token"))
	token = strings.TrimSpace(strings.TrimPrefix(token, "Bearer "))
	fail := func(msg string) {
		c.render(w, http.StatusUnauthorized, "login", page{Title: "Log in", Error: msg})
	}
	switch {
	case token == "":
		fail("Paste a Kubernetes token: the output of kubectl create token, or the id-token of your kubeconfig.")
		return
	case len(token) > cookieChunk*maxCookieParts:
		fail("That token is longer than the console can keep (" + strconv.Itoa(cookieChunk*maxCookieParts) + " characters).")
		return
	case strings.ContainsAny(token, " \t\r\n;,\""):
		fail("That is not a bearer token: it holds spaces or other characters a token never has.")
		return
	}
	if _, ok := c.authenticate(r.Context(), "Bearer "+token); !ok {
		fail("The Kubernetes API server did not accept that token (TokenReview): it may have expired, or be meant for another cluster.")
		return
	}
	c.clearCookies(w, r)
	for i := 0; len(token) > 0; i++ {
		n := min(len(token), cookieChunk)
		http.SetCookie(w, c.cookie(i, token[:n], 0))
		token = token[n:]
	}
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
}

// logout clears the session cookie.
func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	c.clearCookies(w, r)
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

func (c *Console) cookie(i int, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: c.cookieName(i), Value: value, Path: cookiePath, MaxAge: maxAge,
		HttpOnly: true, Secure: c.opts.Secure, SameSite: http.SameSiteStrictMode}
}

// clearCookies expires every part of the session cookie the request holds.
func (c *Console) clearCookies(w http.ResponseWriter, r *http.Request) {
	for i := range maxCookieParts {
		if _, err := r.Cookie(c.cookieName(i)); err != nil {
			if i > 0 {
				break
			}
			continue
		}
		http.SetCookie(w, c.cookie(i, "", -1))
	}
}
