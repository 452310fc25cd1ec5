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
	"strconv"

	"github.com/apitoken-io/apitoken-operator/internal/query"
)

// pageSize is how many tokens one list page shows.
const pageSize = 25

// listFilter is the list page's URL: what the person searched, filtered
// and sorted by.
type listFilter struct {
	Search, Namespace, Type, Status, Sort, Order string
	Page                                         int
}

// statusExpiring is the console's own status filter: Active and expiring
// within the window.
const statusExpiring = "EXPIRING"

func parseFilter(v url.Values) listFilter {
	f := listFilter{Search: v.Get("search"), Namespace: v.Get("namespace"), Type: v.Get("type"), Status: v.Get("status"),
		Sort: v.Get("sort"), Order: v.Get("order")}
	if f.Sort == "" {
		f.Sort, f.Order = "expirationDate", "ASC"
	}
	f.Page, _ = strconv.Atoi(v.Get("page"))
	f.Page = max(f.Page, 0)
	return f
}

// url is the console URL of f with changes applied.
func (f listFilter) url(change func(*listFilter)) string {
	g := f
	change(&g)
	v := url.Values{}
	for k, s := range map[string]string{"search": g.Search, "namespace": g.Namespace, "type": g.Type, "status": g.Status, "sort": g.Sort, "order": g.Order} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if g.Page > 0 {
		v.Set("page", strconv.Itoa(g.Page))
	}
	if len(v) == 0 {
		return "/console/"
	}
	return "/console/?" + v.Encode()
}

// params are the query API's parameters for f: every filter, search, sort
// and page is the query package's, server-side.
func (c *Console) params(f listFilter, size int) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"search": f.Search, "namespace": f.Namespace, "type": f.Type, "sort": f.Sort, "order": f.Order} {
		if s != "" {
			v.Set(k, s)
		}
	}
	switch f.Status {
	case "":
	case statusExpiring:
		v.Set("status", "ACTIVE")
		v.Set("expiresTo", strconv.FormatInt(c.opts.Clock.Now().Add(c.opts.ExpiringSoon).UnixMilli(), 10))
	default:
		v.Set("status", f.Status)
	}
	v.Set("page", strconv.Itoa(f.Page))
	v.Set("pageSize", strconv.Itoa(size))
	return v
}

type counter struct {
	Label, Class, URL string
	Count             int
	Current           bool
}

type sortLink struct {
	URL, Arrow string
}

type listData struct {
	Filter     listFilter
	Rows       []tokenView
	Counters   []counter
	Sorts      map[string]sortLink
	Total      int
	Page       int
	Pages      int
	Prev, Next string
	Clear      string
	Statuses   []string
	Types      []string
}

func (c *Console) listPage(w http.ResponseWriter, r *http.Request, s *session) {
	f := parseFilter(r.URL.Query())
	p := c.pageFor(s, "API tokens", nil)
	if r.URL.Query().Get("done") == "deleted" {
		p.Notice = notices["deleted"]
	}
	data := listData{Filter: f, Clear: "/console/", Statuses: []string{"ACTIVE", statusExpiring, "EXPIRED", "REVOKED", "PENDING", "FAILED"},
		Types: []string{"USER", "SERVICE", "API_CLIENT"}}
	var resp query.Response
	if err := c.call(r, s, http.MethodGet, "/api/v1/tokens", c.params(f, pageSize), nil, &resp); err != nil {
		e, ok := err.(*apiError)
		if !ok {
			c.renderAPIError(w, r, s, err)
			return
		}
		p.Error = e.Message
		if e.Parameter != "" {
			p.Error = "The " + e.Parameter + " filter: " + e.Message
		}
		p.Data = data
		c.render(w, http.StatusOK, "list", p)
		return
	}
	for _, t := range resp.ApiTokens {
		data.Rows = append(data.Rows, c.view(t))
	}
	data.Total, data.Page = resp.PageInfo.TotalCount, f.Page
	data.Pages = max(1, (data.Total+pageSize-1)/pageSize)
	if f.Page > 0 {
		data.Prev = f.url(func(g *listFilter) { g.Page-- })
	}
	if (f.Page+1)*pageSize < data.Total {
		data.Next = f.url(func(g *listFilter) { g.Page++ })
	}
	for _, k := range []struct{ label, status, class string }{
		{"Active", "ACTIVE", "active"}, {"Expiring soon", statusExpiring, "expiring"}, {"Expired", "EXPIRED", "expired"}, {"Revoked", "REVOKED", "revoked"},
	} {
		g := f
		g.Status, g.Page = k.status, 0
		var n query.Response
		if err := c.call(r, s, http.MethodGet, "/api/v1/tokens", c.params(g, 1), nil, &n); err != nil {
			c.renderAPIError(w, r, s, err)
			return
		}
		data.Counters = append(data.Counters, counter{Label: k.label, Class: k.class, Count: n.PageInfo.TotalCount,
			URL: g.url(func(*listFilter) {}), Current: f.Status == k.status})
	}
	data.Sorts = map[string]sortLink{}
	for _, field := range []string{"expirationDate", "lastUsedDate", "creationDate", "name"} {
		l := sortLink{}
		order := "ASC"
		if f.Sort == field {
			l.Arrow = "▲"
			if f.Order == "DESC" {
				l.Arrow = "▼"
			} else {
				order = "DESC"
			}
		}
		l.URL = f.url(func(g *listFilter) { g.Sort, g.Order, g.Page = field, order, 0 })
		data.Sorts[field] = l
	}
	p.Data = data
	c.render(w, http.StatusOK, "list", p)
}
