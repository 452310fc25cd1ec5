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

// Package notify is the ApiTokenWebhook controller (leader only): it
// finds, for each webhook, the facts notification says are due about the
// ApiTokens of its namespace, sends them to the receiver one after another
// (so a token's events arrive in order), records each one delivered (or
// given up on) in the token's status.notifications, and keeps the
// webhook's status. A webhook is one work item: a receiver that is down
// costs one worker one attempt per backoff step, whatever its backlog.
package notify

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/metrics"
	"github.com/apitoken-io/apitoken-operator/internal/notification"
	"github.com/apitoken-io/apitoken-operator/internal/outbound"
)

// Delivery's timing.
const (
	// RetryFor is how long an event is retried before it is given up on.
	RetryFor = 24 * time.Hour
	// BackoffBase and BackoffCap bound the exponential backoff between
	// attempts (with 20% jitter); a Retry-After within RetryFor wins.
	BackoffBase = time.Second
	BackoffCap  = 5 * time.Minute
	// Batch is how many events one reconcile sends before it lets the
	// other webhooks have the worker.
	Batch = 100
	// RecheckAfter is when a webhook that cannot deliver (no Secret, a
	// refused address) looks again.
	RecheckAfter = 30 * time.Second
	// Resync is how often a webhook is reconciled with nothing coming:
	// what a dropped token change may wait.
	Resync = 5 * time.Minute
)

// Condition reasons of an ApiTokenWebhook's Ready.
const (
	ReasonDelivering       = "Delivering"
	ReasonURLRefused       = "URLRefused"
	ReasonLookupFailed     = "LookupFailed"
	ReasonSecretMissing    = "SigningSecretMissing"
	ReasonSecretInvalid    = "SigningSecretInvalid"
	ReasonInvalidSpec      = "InvalidSpec"
	ReasonReceiverFailing  = "ReceiverFailing"
	EventReasonGivenUp     = "DeliveryFailed"
	EventReasonAddrRefused = "URLRefused"
)

// +kubebuilder:rbac:groups=auth.apitoken.io,resources=apitokenwebhooks,verbs=get;list;watch
// +kubebuilder:rbac:groups=auth.apitoken.io,resources=apitokenwebhooks/status,verbs=get;patch
// +kubebuilder:rbac:groups=auth.apitoken.io,resources=apitokens/status,verbs=get;patch

// Reconciler delivers ApiTokenWebhooks' events (leader only).
type Reconciler struct {
	Client client.Client
	// APIReader reads signing Secrets (not in the cache) and, on a
	// conflict, the ApiToken to record in.
	APIReader client.Reader
	Clock     clock.PassiveClock
	Recorder  events.EventRecorder
	// Addresses are the receivers' addresses allowed (--webhook-allowed-cidrs).
	Addresses outbound.Addresses
	// ConsoleURL is the console's public URL (--console-url); events link
	// to the token's page when set.
	ConsoleURL string
	// MaxConcurrentReconciles is how many webhooks deliver at once.
	MaxConcurrentReconciles int

	// index is the ApiToken informer's indexer (SetupWithManager).
	index toolscache.Indexer
	// changes are the token changes TokenChanged passes on.
	changes chan event.GenericEvent

	mu         sync.Mutex
	retries    map[types.NamespacedName]*retryState // the event each failing webhook waits on
	pending    map[types.NamespacedName]int         // the apitoken_webhook_pending gauge, by webhook
	pendingSum int
	// sent are the events this process settled, by webhook, until the
	// cache shows them settled: a reconcile that reads a token the cache
	// has not caught up with does not send them again.
	sent map[types.NamespacedName]map[string]struct{}
}

// retryState is a webhook's head event that failed: when it first did,
// how often, and when to try again.
type retryState struct {
	eventID  string
	since    time.Time
	attempts int
	next     time.Time
}

// item is one due fact about one token.
type item struct {
	tok  *authv1alpha1.ApiToken
	fact notification.Fact
}

// Reconcile sends what is due to one webhook's receiver.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	wh := &authv1alpha1.ApiTokenWebhook{}
	if err := r.Client.Get(ctx, req.NamespacedName, wh); err != nil {
		if apierrors.IsNotFound(err) {
			r.forget(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	now := r.Clock.Now()
	status := *wh.Status.DeepCopy()
	status.ObservedGeneration = wh.Generation
	result, ready := r.deliver(ctx, wh, &status, now)
	ready.Type, ready.ObservedGeneration = authv1alpha1.ConditionReady, wh.Generation
	meta.SetStatusCondition(&status.Conditions, ready)
	r.setPending(client.ObjectKeyFromObject(wh), int(status.Pending))
	if !equality.Semantic.DeepEqual(wh.Status, status) {
		patched := wh.DeepCopy()
		patched.Status = status
		if err := r.Client.Status().Patch(ctx, patched, client.MergeFrom(wh)); err != nil {
			return ctrl.Result{}, fmt.Errorf("writing the status of ApiTokenWebhook %s/%s: %w", wh.Namespace, wh.Name, err)
		}
	}
	return result, nil
}

// deliver is the reconcile: gather what is due, check the receiver may be
// called, send in order until the batch ends or an attempt must wait.
// It returns when to come back and what Ready says.
func (r *Reconciler) deliver(ctx context.Context, wh *authv1alpha1.ApiTokenWebhook, status *authv1alpha1.ApiTokenWebhookStatus, now time.Time) (ctrl.Result, metav1.Condition) {
	rules, err := notification.NewRules(wh)
	if err != nil {
		status.Pending = 0
		return ctrl.Result{}, notReady(ReasonInvalidSpec, err.Error()+": nothing is sent")
	}
	due, next, err := r.due(ctx, rules, client.ObjectKeyFromObject(wh), now)
	if err != nil {
		return ctrl.Result{RequeueAfter: RecheckAfter}, notReady("ListFailed", err.Error())
	}
	status.Pending = int32(min(len(due), 1<<30))
	again := func(at time.Time) ctrl.Result {
		if !next.IsZero() && (at.IsZero() || next.Before(at)) {
			at = next
		}
		if resync := now.Add(Resync); at.IsZero() || resync.Before(at) {
			at = resync
		}
		return ctrl.Result{RequeueAfter: max(at.Sub(now), time.Millisecond)}
	}

	// What can be checked without sending is checked when there is
	// something to send, when the spec changed, and until it passes: not
	// on every token change.
	if len(due) == 0 && wh.Status.ObservedGeneration == wh.Generation && isReady(wh) {
		return again(time.Time{}), *meta.FindStatusCondition(wh.Status.Conditions, authv1alpha1.ConditionReady)
	}
	target, err := r.Addresses.CheckURL(wh.Spec.URL)
	if err == nil {
		err = r.Addresses.Resolve(ctx, target.Hostname())
	}
	if err != nil {
		reason := ReasonURLRefused
		if errors.Is(err, outbound.ErrLookup) {
			reason = ReasonLookupFailed
		}
		return again(now.Add(RecheckAfter)), notReady(reason, err.Error()+"; nothing is sent")
	}
	sign, cond := r.signer(ctx, wh)
	if cond != nil {
		return again(now.Add(RecheckAfter)), *cond
	}
	if len(due) == 0 {
		return again(time.Time{}), ready(status)
	}
	if wait := r.waiting(client.ObjectKeyFromObject(wh), now); !wait.IsZero() {
		return again(wait), r.failingCondition(client.ObjectKeyFromObject(wh))
	}
	c, err := r.Addresses.Client(wh.Spec.CABundle)
	if err != nil {
		return again(now.Add(RecheckAfter)), notReady(ReasonInvalidSpec, err.Error())
	}
	defer c.CloseIdleConnections()

	exists := r.webhookNames(ctx, wh.Namespace)
	latest := map[types.UID]*authv1alpha1.ApiToken{} // tokens as this reconcile wrote them
	for i, it := range due {
		if tok, ok := latest[it.tok.UID]; ok {
			it.tok = tok
		}
		if i == Batch {
			return ctrl.Result{RequeueAfter: time.Millisecond}, ready(status)
		}
		ev := notification.Event{Token: it.tok, Fact: it.fact, ConsoleURL: r.ConsoleURL}
		ans, err := r.send(ctx, c, wh, sign, ev)
		if err != nil {
			return again(now.Add(RecheckAfter)), notReady(ReasonInvalidSpec, err.Error())
		}
		attempt := r.Clock.Now()
		status.LastDelivery = &authv1alpha1.WebhookDelivery{Time: metav1.NewTime(attempt.Truncate(time.Second)),
			Event: notification.EventType(it.fact.Event), Subject: ev.Subject(), ResponseCode: int32(ans.Code)}
		outcome := ans.Outcome()
		if outcome == outbound.Retry && r.givenUp(client.ObjectKeyFromObject(wh), ev.ID(), attempt) {
			outcome = outbound.Final
		}
		metrics.WebhookDeliveries.WithLabelValues(outcome.String()).Inc()
		switch outcome {
		case outbound.Refused:
			r.Recorder.Eventf(wh, nil, corev1.EventTypeWarning, EventReasonAddrRefused, "Deliver", "%s; nothing is sent", ans.Err)
			return again(now.Add(RecheckAfter)), notReady(ReasonURLRefused, ans.Err.Error()+"; nothing is sent")
		case outbound.Retry:
			at := r.retryLater(client.ObjectKeyFromObject(wh), ev.ID(), ans, attempt)
			return again(at), r.failingCondition(client.ObjectKeyFromObject(wh))
		case outbound.Final:
			status.Failures++
			r.Recorder.Eventf(wh, it.tok, corev1.EventTypeWarning, EventReasonGivenUp, "Deliver",
				"%s for ApiToken %s given up: %s", notification.EventType(it.fact.Event), ev.Subject(), describe(ans))
		}
		r.clearRetry(client.ObjectKeyFromObject(wh))
		written, err := r.settle(ctx, rules, it, exists)
		if err != nil {
			return ctrl.Result{RequeueAfter: RecheckAfter}, notReady("RecordFailed", err.Error())
		}
		r.markSent(client.ObjectKeyFromObject(wh), ev.ID())
		if written != nil {
			latest[written.UID] = written
		}
		status.Pending--
	}
	return again(time.Time{}), ready(status)
}

// due lists the namespace's ApiTokens from the cache and what rules say
// is due about each, in the order it happened.
func (r *Reconciler) due(ctx context.Context, rules notification.Rules, webhook types.NamespacedName, now time.Time) ([]item, time.Time, error) {
	tokens, err := r.tokensOf(ctx, webhook.Namespace)
	if err != nil {
		return nil, time.Time{}, err
	}
	var out []item
	var next time.Time
	r.mu.Lock()
	defer r.mu.Unlock()
	sent, stillDue := r.sent[webhook], map[string]struct{}{}
	for _, tok := range tokens {
		if !tok.DeletionTimestamp.IsZero() || !rules.Selects(tok) {
			continue
		}
		facts, n := rules.Due(tok, now)
		for _, f := range facts {
			if id := (notification.Event{Token: tok, Fact: f}).ID(); sent != nil {
				if _, ok := sent[id]; ok {
					stillDue[id] = struct{}{} // sent; the cache is behind
					continue
				}
			}
			out = append(out, item{tok: tok, fact: f})
		}
		if !n.IsZero() && (next.IsZero() || n.Before(next)) {
			next = n
		}
	}
	// What the cache no longer has due, it has recorded (or it is moot).
	for id := range sent {
		if _, ok := stillDue[id]; !ok {
			delete(sent, id)
		}
	}
	if len(sent) == 0 {
		delete(r.sent, webhook)
	}
	slices.SortStableFunc(out, func(a, b item) int {
		if c := a.fact.Time.Compare(b.fact.Time); c != 0 {
			return c
		}
		return strings.Compare(a.tok.Name, b.tok.Name) // one namespace
	})
	return out, next, nil
}

// tokensOf are the namespace's cached ApiTokens, read-only: from the
// informer's namespace index, the cached objects themselves (a List
// copies each, 656 bytes, on every reconcile of every webhook).
func (r *Reconciler) tokensOf(ctx context.Context, namespace string) ([]*authv1alpha1.ApiToken, error) {
	if r.index != nil {
		objs, err := r.index.ByIndex(toolscache.NamespaceIndex, namespace)
		if err != nil {
			return nil, fmt.Errorf("listing the ApiTokens of %s: %w", namespace, err)
		}
		out := make([]*authv1alpha1.ApiToken, 0, len(objs))
		for _, o := range objs {
			if tok, ok := o.(*authv1alpha1.ApiToken); ok {
				out = append(out, tok)
			}
		}
		return out, nil
	}
	var list authv1alpha1.ApiTokenList
	if err := r.Client.List(ctx, &list, client.InNamespace(namespace), client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("listing the ApiTokens of %s: %w", namespace, err)
	}
	out := make([]*authv1alpha1.ApiToken, len(list.Items))
	for i := range list.Items {
		out[i] = &list.Items[i]
	}
	return out, nil
}

// signer reads the signing Secret for CloudEvents (Slack is unsigned);
// a condition when it cannot.
func (r *Reconciler) signer(ctx context.Context, wh *authv1alpha1.ApiTokenWebhook) (*standardwebhooks.Webhook, *metav1.Condition) {
	if wh.Spec.Format == authv1alpha1.WebhookFormatSlack {
		return nil, nil
	}
	ref := wh.Spec.SigningSecretRef
	if ref == nil {
		c := notReady(ReasonSecretMissing, "spec.signingSecretRef is required for the CloudEvents format; nothing is sent")
		return nil, &c
	}
	key := ref.Key
	if key == "" {
		key = authv1alpha1.DefaultSecretKey
	}
	var s corev1.Secret
	if err := r.APIReader.Get(ctx, types.NamespacedName{Namespace: wh.Namespace, Name: ref.Name}, &s); err != nil {
		c := notReady(ReasonSecretMissing, fmt.Sprintf("spec.signingSecretRef: Secret %q: %s; nothing is sent", ref.Name, apierrors.ReasonForError(err)))
		if apierrors.IsNotFound(err) {
			c.Message = fmt.Sprintf("spec.signingSecretRef: Secret %q not found; nothing is sent", ref.Name)
		}
		return nil, &c
	}
	v, ok := s.Data[key]
	if !ok {
		c := notReady(ReasonSecretMissing, fmt.Sprintf("spec.signingSecretRef: Secret %q has no key %q; nothing is sent", ref.Name, key))
		return nil, &c
	}
	sign, err := standardwebhooks.NewWebhook(string(v))
	if raw, derr := base64.StdEncoding.DecodeString(strings.TrimPrefix(string(v), "whsec_")); err != nil || derr != nil || len(raw) < 24 || len(raw) > 64 {
		c := notReady(ReasonSecretInvalid, fmt.Sprintf("spec.signingSecretRef: Secret %q key %q is not a Standard Webhooks secret (whsec_ and 24 to 64 bytes in base64); nothing is sent", ref.Name, key))
		return nil, &c
	}
	return sign, nil
}

// send writes ev in the webhook's format, signs it, and posts it.
func (r *Reconciler) send(ctx context.Context, c *http.Client, wh *authv1alpha1.ApiTokenWebhook, sign *standardwebhooks.Webhook, ev notification.Event) (outbound.Answer, error) {
	header := http.Header{}
	var body []byte
	var err error
	if wh.Spec.Format == authv1alpha1.WebhookFormatSlack {
		header.Set("Content-Type", "application/json")
		body, err = ev.Slack()
	} else {
		header.Set("Content-Type", notification.ContentTypeCloudEvents)
		body, err = ev.CloudEvent()
	}
	if err != nil {
		return outbound.Answer{}, err
	}
	now := r.Clock.Now()
	if sign != nil {
		sig, err := sign.Sign(ev.ID(), now, body)
		if err != nil {
			return outbound.Answer{}, fmt.Errorf("signing the event: %w", err)
		}
		header.Set(standardwebhooks.HeaderWebhookID, ev.ID())
		header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
		header.Set(standardwebhooks.HeaderWebhookSignature, sig)
	}
	ctx, cancel := context.WithTimeout(ctx, outbound.Timeout)
	defer cancel()
	return outbound.Post(ctx, c, wh.Spec.URL, header, body, now), nil
}

// settle records it delivered (or given up on) in its token's status,
// re-reading the token on a conflict. It returns the token as written;
// nil when the token is gone or has moved to another revision.
func (r *Reconciler) settle(ctx context.Context, rules notification.Rules, it item, exists func(string) bool) (*authv1alpha1.ApiToken, error) {
	tok := it.tok
	var written *authv1alpha1.ApiToken
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		patched := tok.DeepCopy()
		patched.Status.Notifications = rules.Settle(tok, it.fact, exists)
		err := r.Client.Status().Patch(ctx, patched, client.MergeFromWithOptions(tok, client.MergeFromWithOptimisticLock{}))
		switch {
		case err == nil:
			written = patched
		case apierrors.IsConflict(err):
			fresh := &authv1alpha1.ApiToken{}
			if gerr := r.APIReader.Get(ctx, client.ObjectKeyFromObject(tok), fresh); gerr != nil {
				return client.IgnoreNotFound(gerr)
			}
			if fresh.UID != tok.UID || fresh.Status.Revision != tok.Status.Revision {
				return nil // another token, or another revision: the fact is moot
			}
			tok = fresh
		case apierrors.IsNotFound(err):
			return nil
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("recording %s in ApiToken %s/%s: %w", it.fact.Key(), tok.Namespace, tok.Name, err)
	}
	return written, nil
}

// webhookNames says which webhooks of the namespace exist (records of
// deleted ones are dropped when a token's record is next written).
func (r *Reconciler) webhookNames(ctx context.Context, namespace string) func(string) bool {
	var list authv1alpha1.ApiTokenWebhookList
	if err := r.Client.List(ctx, &list, client.InNamespace(namespace), client.UnsafeDisableDeepCopy); err != nil {
		return func(string) bool { return true }
	}
	return func(name string) bool {
		return slices.ContainsFunc(list.Items, func(w authv1alpha1.ApiTokenWebhook) bool { return w.Name == name })
	}
}

// describe says what the receiver answered, for an Event.
func describe(a outbound.Answer) string {
	switch {
	case a.Err != nil:
		return a.Err.Error() + " for " + RetryFor.String()
	case a.Code >= 300 && a.Code < 400:
		return "the receiver answered " + strconv.Itoa(a.Code) + " (redirects are not followed)"
	}
	return "the receiver answered " + strconv.Itoa(a.Code)
}

// isReady says whether the webhook's Ready is True.
func isReady(wh *authv1alpha1.ApiTokenWebhook) bool {
	return meta.IsStatusConditionTrue(wh.Status.Conditions, authv1alpha1.ConditionReady)
}

func notReady(reason, message string) metav1.Condition {
	return metav1.Condition{Status: metav1.ConditionFalse, Reason: reason, Message: message}
}

func ready(status *authv1alpha1.ApiTokenWebhookStatus) metav1.Condition {
	msg := "the receiver takes events"
	if status.LastDelivery == nil {
		msg = "nothing sent yet"
	}
	return metav1.Condition{Status: metav1.ConditionTrue, Reason: ReasonDelivering, Message: msg}
}

// Backoff is how long to wait after the attempts-th failure: exponential
// from BackoffBase to BackoffCap with 20% jitter, or the receiver's
// Retry-After when it asked for longer.
func Backoff(attempts int, retryAfter time.Duration) time.Duration {
	d := BackoffCap
	if attempts < 20 {
		d = min(BackoffBase<<max(attempts-1, 0), BackoffCap)
	}
	d = wait.Jitter(d, 0.2)
	return max(d, min(retryAfter, RetryFor))
}
