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
	"crypto/rand"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// expiryPresets are the create form's choices, in days.
var expiryPresets = []int{7, 30, 60, 90}

// defaultExpiryDays is the preset chosen when the form opens.
const defaultExpiryDays = 30

// createForm is the create form's fields as sent (and sent back with field
// errors next to them).
type createForm struct {
	Name, GeneratedName, Namespace, DisplayName, Description string
	Expiry, ExpiryDate                                       string
	Scopes                                                   []string
	ScopesText                                               string
	Length, Charset, Prefix                                  string
	Checksum                                                 bool
}

type createData struct {
	Form createForm
	// Errors are the API's messages by form field.
	Errors map[string]string
	// Namespaces are where the person may create; Full those where any
	// token (so free-text scopes and "never").
	Namespaces    []string
	Full          map[string]bool
	AnyFull       bool
	Presets       []int
	MaxTTL        string
	Scopes        []string
	Charsets      []string
	DefaultLength int32
}

// formField maps the API's field names to the form's.
func formField(param string) string {
	switch {
	case param == "ttl":
		return "expiry"
	case param == "generate":
		return "length"
	case strings.HasPrefix(param, "generate."):
		return strings.TrimPrefix(param, "generate.")
	case param == "namespace", param == "name", param == "displayName", param == "description", param == "scopes":
		return param
	default:
		return ""
	}
}

func (c *Console) createPage(w http.ResponseWriter, r *http.Request, s *session) {
	f := createForm{GeneratedName: generatedName(), Expiry: strconv.Itoa(defaultExpiryDays), Charset: string(authv1alpha1.GenerateSource{}.WithDefaults().Charset)}
	c.renderCreate(w, r, s, http.StatusOK, f, nil, "")
}

func (c *Console) renderCreate(w http.ResponseWriter, r *http.Request, s *session, code int, f createForm, errs map[string]string, msg string) {
	wr, err := c.opts.Writable(r.Context(), s.user, c.opts.DefaultNamespace)
	if err != nil {
		c.renderAPIError(w, r, s, err)
		return
	}
	data := createData{Form: f, Errors: errs, Full: map[string]bool{}, Presets: expiryPresets,
		DefaultLength: authv1alpha1.GenerateSource{}.WithDefaults().Length}
	// Without readable rules the form shows no hints; a personal token
	// created then is refused by the API with the reason.
	if rules, err := c.opts.PersonalRules.Rules(r.Context()); err == nil {
		data.Scopes, data.MaxTTL = rules.Scopes, span(rules.MaxTTL)
	}
	for _, cs := range authv1alpha1.Charsets {
		data.Charsets = append(data.Charsets, string(cs))
	}
	for _, ns := range wr.Full {
		data.Full[ns] = true
	}
	data.AnyFull = len(wr.Full) > 0
	data.Namespaces = append(slices.Clone(wr.Full), wr.Personal...)
	slices.Sort(data.Namespaces)
	if i := slices.Index(data.Namespaces, c.opts.DefaultNamespace); i > 0 {
		data.Namespaces = append([]string{c.opts.DefaultNamespace}, slices.Delete(data.Namespaces, i, i+1)...)
	}
	p := c.pageFor(s, "New API token", data)
	p.Error = msg
	if len(data.Namespaces) == 0 && msg == "" {
		p.Error = s.user.GetName() + " may not create apitokens.auth.apitoken.io, nor apitokens/self for personal tokens, in any namespace the console knows: ask for a RoleBinding to the operator's self-service role."
	}
	c.render(w, code, "create", p)
}

// createToken sends the form to the create endpoint and shows the value
// once; a field error goes back next to its field, in the API's words.
func (c *Console) createToken(w http.ResponseWriter, r *http.Request, s *session) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		c.renderError(w, r, s, http.StatusBadRequest, "The form could not be read: "+err.Error())
		return
	}
	f := createForm{Name: strings.TrimSpace(r.PostFormValue("name")), GeneratedName: r.PostFormValue("generatedName"),
		Namespace: r.PostFormValue("namespace"), DisplayName: strings.TrimSpace(r.PostFormValue("displayName")),
		Description: strings.TrimSpace(r.PostFormValue("description")), Expiry: r.PostFormValue("expiry"),
		ExpiryDate: r.PostFormValue("expiryDate"), Scopes: r.PostForm["scope"], ScopesText: r.PostFormValue("scopes"),
		Length: strings.TrimSpace(r.PostFormValue("length")), Charset: r.PostFormValue("charset"),
		Prefix: strings.TrimSpace(r.PostFormValue("prefix")), Checksum: r.PostFormValue("checksum") != ""}
	body, field, problem := c.createBody(f)
	if problem != "" {
		c.renderCreate(w, r, s, http.StatusBadRequest, f, map[string]string{field: problem}, "")
		return
	}
	var out written
	if err := c.call(r, s, http.MethodPost, "/api/v1/tokens", nil, body, &out); err != nil {
		e, ok := err.(*apiError)
		if !ok {
			c.renderAPIError(w, r, s, err)
			return
		}
		if field := formField(e.Parameter); field != "" {
			c.renderCreate(w, r, s, e.Code, f, map[string]string{field: e.Message}, "")
			return
		}
		c.renderCreate(w, r, s, e.Code, f, nil, e.Message)
		return
	}
	c.renderShown(w, s, "Token created", out)
}

// createBody is the create endpoint's JSON for f, or the form field that
// cannot be one and why.
func (c *Console) createBody(f createForm) (map[string]any, string, string) {
	name := f.Name
	if name == "" {
		// Drawn when the form was shown: sending the form twice (reload)
		// finds the name taken instead of making a second token.
		name = f.GeneratedName
	}
	body := map[string]any{"namespace": f.Namespace, "name": name}
	if f.DisplayName != "" {
		body["displayName"] = f.DisplayName
	}
	if f.Description != "" {
		body["description"] = f.Description
	}
	switch f.Expiry {
	case "never":
	case "custom":
		day, err := time.Parse("2006-01-02", f.ExpiryDate)
		if err != nil {
			return nil, "expiry", "choose the day the token expires"
		}
		ttl := day.Add(24 * time.Hour).Sub(c.opts.Clock.Now())
		if ttl <= 0 {
			return nil, "expiry", "that day has passed: choose a later one"
		}
		body["ttl"] = fmt.Sprintf("%ds", int64(ttl/time.Second))
	default:
		days, err := strconv.Atoi(f.Expiry)
		if err != nil || days <= 0 {
			return nil, "expiry", "choose when the token expires"
		}
		body["ttl"] = fmt.Sprintf("%dh", days*24)
	}
	scopes := slices.Clone(f.Scopes)
	for _, sc := range strings.FieldsFunc(f.ScopesText, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	if len(scopes) > 0 {
		body["scopes"] = scopes
	}
	gen := map[string]any{}
	if f.Length != "" {
		n, err := strconv.Atoi(f.Length)
		if err != nil {
			return nil, "length", fmt.Sprintf("%q is not a number of characters", f.Length)
		}
		gen["length"] = n
	}
	if f.Charset != "" {
		gen["charset"] = f.Charset
	}
	if f.Prefix != "" {
		gen["prefix"] = f.Prefix
	}
	if f.Checksum {
		gen["checksum"] = true
	}
	if len(gen) > 0 {
		body["generate"] = gen
	}
	return body, "", ""
}

// generatedName is a name for a token the person did not name.
func generatedName() string {
	return "token-" + strings.ToLower(rand.Text()[:10])
}
