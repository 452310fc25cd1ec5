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
	"net/url"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/query"
)

// +kubebuilder:rbac:groups="",resources=events,verbs=list

// Details is what the detail page shows beside the token's row.
type Details struct {
	// Ready is the Ready condition's message.
	Ready  string
	Events []Event
}

// Event is one recent Event of an ApiToken.
type Event struct {
	Time               time.Time
	Type, Reason, Note string
	When, WhenAbsolute string
}

// maxEvents is how many recent Events the detail page lists.
const maxEvents = 10

// KubeDetails reads Details with the operator's client: the ApiToken's
// Ready condition and the Events that name its UID.
func KubeDetails(reader client.Reader) func(ctx context.Context, namespace, name string) (Details, error) {
	return func(ctx context.Context, namespace, name string) (Details, error) {
		var d Details
		tok := &authv1alpha1.ApiToken{}
		if err := reader.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, tok); err != nil {
			return d, client.IgnoreNotFound(err)
		}
		if cond := meta.FindStatusCondition(tok.Status.Conditions, authv1alpha1.ConditionReady); cond != nil {
			d.Ready = cond.Message
		}
		var events corev1.EventList
		if err := reader.List(ctx, &events, client.InNamespace(namespace),
			client.MatchingFields{"involvedObject.uid": string(tok.UID)}); err != nil {
			return d, err
		}
		for _, e := range events.Items {
			t := e.EventTime.Time
			if t.IsZero() {
				t = e.LastTimestamp.Time
			}
			if t.IsZero() {
				t = e.CreationTimestamp.Time
			}
			d.Events = append(d.Events, Event{Time: t, Type: e.Type, Reason: e.Reason, Note: e.Message})
		}
		slices.SortFunc(d.Events, func(a, b Event) int { return b.Time.Compare(a.Time) })
		if len(d.Events) > maxEvents {
			d.Events = d.Events[:maxEvents]
		}
		return d, nil
	}
}

type detailData struct {
	Token   tokenView
	Details Details
}

func (c *Console) detailPage(w http.ResponseWriter, r *http.Request, s *session) {
	ns, name := r.PathValue("namespace"), r.PathValue("name")
	var t query.TokenDTO
	if err := c.call(r, s, http.MethodGet, "/api/v1/tokens/"+url.PathEscape(ns)+"/"+url.PathEscape(name), nil, nil, &t); err != nil {
		c.renderAPIError(w, r, s, err)
		return
	}
	data := detailData{Token: c.view(t)}
	if c.opts.Details != nil {
		d, err := c.opts.Details(r.Context(), ns, name)
		if err != nil {
			c.opts.Log.Error(err, "Failed to read an ApiToken's details for the console", "namespace", ns, "name", name)
		}
		now := c.opts.Clock.Now()
		for i := range d.Events {
			ms := d.Events[i].Time.UnixMilli()
			d.Events[i].When, d.Events[i].WhenAbsolute = relative(now, &ms, "")
		}
		data.Details = d
	}
	p := c.pageFor(s, t.TokenName, data)
	p.Notice = notices[r.URL.Query().Get("done")]
	c.render(w, http.StatusOK, "detail", p)
}

// notices are the one-line confirmations a redirect after a write shows.
var notices = map[string]string{
	"revoked":     "Revoked: the token no longer verifies anywhere.",
	"deleted":     "Deleted.",
	"regenerated": "Regenerated: the Secret holds the new value.",
}
