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
	"net/http"
	"net/url"
	"strings"

	"github.com/apitoken-io/apitoken-operator/internal/query"
)

// shownData is the page that shows a hash-only token's value, once.
type shownData struct {
	Heading string
	Token   tokenView
	Value   string
	EnvName string
}

// renderShown shows a new value: in this response only, which no cache
// keeps (every console response is no-store).
func (c *Console) renderShown(w http.ResponseWriter, s *session, heading string, out written) {
	data := shownData{Heading: heading, Token: c.view(out.ApiToken), Value: out.Token, EnvName: envName(out.ApiToken.Name)}
	c.render(w, http.StatusOK, "shown", c.pageFor(s, heading, data))
}

// envName is the variable a Download .env file sets: APITOKEN_<NAME>.
func envName(name string) string {
	return "APITOKEN_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name))
}

// confirmData is a confirmation dialog's page.
type confirmData struct {
	Action string
	Token  tokenView
}

// confirmPage asks before a regenerate, revoke or delete, naming the token
// and what stops working.
func (c *Console) confirmPage(action string) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, s *session) {
		t, ok := c.token(w, r, s)
		if !ok {
			return
		}
		titles := map[string]string{"regenerate": "Regenerate", "revoke": "Revoke", "delete": "Delete"}
		c.render(w, http.StatusOK, "confirm", c.pageFor(s, titles[action]+" "+t.TokenName, confirmData{Action: action, Token: c.view(t)}))
	}
}

// token reads the token of the request's path through the API.
func (c *Console) token(w http.ResponseWriter, r *http.Request, s *session) (query.TokenDTO, bool) {
	var t query.TokenDTO
	if err := c.call(r, s, http.MethodGet, tokenPath(r), nil, nil, &t); err != nil {
		c.renderAPIError(w, r, s, err)
		return t, false
	}
	return t, true
}

func tokenPath(r *http.Request) string {
	return "/api/v1/tokens/" + url.PathEscape(r.PathValue("namespace")) + "/" + url.PathEscape(r.PathValue("name"))
}

func detailURL(r *http.Request, done string) string {
	return "/console/tokens/" + url.PathEscape(r.PathValue("namespace")) + "/" + url.PathEscape(r.PathValue("name")) + "?done=" + done
}

// regenerate sends the dialog's grace period to the regenerate endpoint: a
// hash-only token's new value is shown once; a Secret-held token's lands
// in its Secret.
func (c *Console) regenerate(w http.ResponseWriter, r *http.Request, s *session) {
	grace := r.PostFormValue("grace")
	if grace == "custom" {
		grace = strings.TrimSpace(r.PostFormValue("graceCustom"))
	}
	// The endpoint checks the grace period and names it when it is wrong.
	body := map[string]any{}
	if grace != "" && grace != "0" {
		body["gracePeriod"] = grace
	}
	var out written
	if err := c.call(r, s, http.MethodPost, tokenPath(r)+"/regenerate", nil, body, &out); err != nil {
		c.renderAPIError(w, r, s, err)
		return
	}
	if out.Token == "" {
		http.Redirect(w, r, detailURL(r, "regenerated"), http.StatusSeeOther)
		return
	}
	c.renderShown(w, s, "Token regenerated", out)
}

func (c *Console) revoke(w http.ResponseWriter, r *http.Request, s *session) {
	if err := c.call(r, s, http.MethodPost, tokenPath(r)+"/revoke", nil, nil, nil); err != nil {
		c.renderAPIError(w, r, s, err)
		return
	}
	http.Redirect(w, r, detailURL(r, "revoked"), http.StatusSeeOther)
}

func (c *Console) delete(w http.ResponseWriter, r *http.Request, s *session) {
	if err := c.call(r, s, http.MethodDelete, tokenPath(r), nil, nil, nil); err != nil {
		c.renderAPIError(w, r, s, err)
		return
	}
	// A code, not a name: the list page shows only its own sentences.
	http.Redirect(w, r, "/console/?done=deleted", http.StatusSeeOther)
}
