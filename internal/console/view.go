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
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/apitoken-io/apitoken-operator/internal/query"
)

// page is what every template gets: the layout's fields and one page's data.
type page struct {
	Title string
	// User is who is logged in; empty on the login page.
	User string
	// CanLogout says the person logged in here (not through a proxy or
	// --query-auth=none).
	CanLogout bool
	// Error is a page-level message (a refusal, in the API's words).
	Error string
	// Notice is a one-line confirmation ("Revoked team-ci").
	Notice string
	Data   any
}

func (c *Console) pageFor(s *session, title string, data any) page {
	p := page{Title: title, Data: data}
	if s != nil {
		p.User, p.CanLogout = s.user.GetName(), s.viaCookie
	}
	return p
}

// parsePages parses each page with the layout.
func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"join": strings.Join,
		"inc":  func(i int) int { return i + 1 },
		"has":  func(list []string, s string) bool { return slices.Contains(list, s) },
	}
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	pages := map[string]*template.Template{}
	for _, name := range []string{"login", "list", "detail", "create", "shown", "confirm", "error"} {
		t := template.Must(base.Clone())
		pages[name] = template.Must(t.ParseFS(templateFS, "templates/"+name+".html"))
	}
	return pages
}

// render writes a page; a template that fails writes nothing half-done.
func (c *Console) render(w http.ResponseWriter, code int, name string, p page) {
	var buf bytes.Buffer
	if err := c.pages[name].ExecuteTemplate(&buf, "layout.html", p); err != nil {
		c.opts.Log.Error(err, "Failed to render a console page", "page", name)
		http.Error(w, "the console could not render this page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// renderError shows msg on the error page.
func (c *Console) renderError(w http.ResponseWriter, _ *http.Request, s *session, code int, msg string) {
	p := c.pageFor(s, http.StatusText(code), nil)
	p.Error = msg
	c.render(w, code, "error", p)
}

// renderAPIError shows an API refusal in the API's words.
func (c *Console) renderAPIError(w http.ResponseWriter, r *http.Request, s *session, err error) {
	if e, ok := err.(*apiError); ok {
		msg := e.Message
		if e.Code == http.StatusNotFound {
			// The API's message names what the link asked for.
			msg = noSuchToken
		}
		c.renderError(w, r, s, e.Code, msg)
		return
	}
	c.opts.Log.Error(err, "A console request failed")
	c.renderError(w, r, s, http.StatusInternalServerError, "The console could not complete this request.")
}

// tokenView is one token as the console shows it.
type tokenView struct {
	query.TokenDTO
	Badge, BadgeClass                                            string
	Expires, ExpiresAt, LastUsed, LastUsedAt, Created, CreatedAt string
	AccessTTL                                                    string
}

func (c *Console) view(t query.TokenDTO) tokenView {
	now := c.opts.Clock.Now()
	v := tokenView{TokenDTO: t, Badge: titleCase(t.TokenStatus), BadgeClass: strings.ToLower(t.TokenStatus)}
	if t.TokenStatus == "ACTIVE" && t.ExpirationDate != nil && time.UnixMilli(*t.ExpirationDate).Sub(now) <= c.opts.ExpiringSoon {
		v.Badge, v.BadgeClass = "Expiring soon", "expiring"
	}
	v.Expires, v.ExpiresAt = relative(now, t.ExpirationDate, "Never")
	v.LastUsed, v.LastUsedAt = relative(now, t.LastUsedDate, "Never")
	v.Created, v.CreatedAt = relative(now, t.CreationDate, "")
	if t.AccessTokenTTL > 0 {
		v.AccessTTL = (time.Duration(t.AccessTokenTTL) * time.Second).String()
	}
	return v
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return s[:1] + strings.ToLower(s[1:])
}

// relative is ms (epoch milliseconds) from now in words ("in 3 days", "2
// hours ago") and as an absolute UTC time; none when ms is nil.
func relative(now time.Time, ms *int64, none string) (string, string) {
	if ms == nil {
		return none, ""
	}
	t := time.UnixMilli(*ms).UTC()
	d := t.Sub(now)
	abs := t.Format("2006-01-02 15:04:05 UTC")
	if d >= 0 {
		return "in " + span(d), abs
	}
	return span(-d) + " ago", abs
}

func span(d time.Duration) string {
	unit := func(n int64, word string) string {
		if n == 1 {
			return "1 " + word
		}
		return fmt.Sprintf("%d %ss", n, word)
	}
	switch {
	case d < time.Minute:
		return unit(int64(d/time.Second), "second")
	case d < time.Hour:
		return unit(int64(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return unit(int64(d/time.Hour), "hour")
	case d < 60*24*time.Hour:
		return unit(int64(d/(24*time.Hour)), "day")
	case d < 730*24*time.Hour:
		return unit(int64(d/(30*24*time.Hour)), "month")
	default:
		return unit(int64(d/(365*24*time.Hour)), "year")
	}
}
