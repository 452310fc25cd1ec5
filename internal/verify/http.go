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

package verify

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/go-logr/logr"
	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apiserver/pkg/authentication/user"

	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// maxBodyBytes bounds the body of a verify request or a TokenReview.
const maxBodyBytes = 64 << 10

// Result is the body of POST /api/v1/tokens/verify. An invalid token gets
// {"valid": false} and nothing else: no hint of why.
type Result struct {
	Valid          bool   `json:"valid"`
	Namespace      string `json:"namespace,omitempty"`
	Name           string `json:"name,omitempty"`
	Principal      string `json:"principal,omitempty"`
	Type           string `json:"type,omitempty"`
	ExpirationDate *int64 `json:"expirationDate,omitempty"`
}

// Routes are the verify endpoints, served by the query server behind its
// authentication; callers must be allowed to create apitokens/verify.
func Routes(v *Verifier, log logr.Logger) []query.Route {
	return []query.Route{
		{Pattern: "POST /api/v1/tokens/verify", Handle: authorized(log, v.serveVerify)},
		{Pattern: "POST /api/v1/tokenreviews", Handle: authorized(log, v.serveTokenReview)},
	}
}

type errorBody struct {
	Error string `json:"error"`
}

func authorized(log logr.Logger, h http.HandlerFunc) func(http.ResponseWriter, *http.Request, user.Info, query.Access) {
	return func(w http.ResponseWriter, r *http.Request, u user.Info, a query.Access) {
		ok, err := a.MayVerify(r.Context(), u)
		if err != nil {
			log.Error(err, "Failed to authorize a verification", "user", u.GetName())
			query.WriteJSON(w, http.StatusInternalServerError, errorBody{Error: "authorization failed"})
			return
		}
		if !ok {
			query.WriteJSON(w, http.StatusForbidden, errorBody{Error: u.GetName() + " may not create apitokens/verify in auth.apitoken.io"})
			return
		}
		h(w, r)
	}
}

// ParseVerifyBody reads {"token": "..."}: the token must be present and at
// most MaxTokenBytes long.
func ParseVerifyBody(body io.Reader) (token.Value, error) {
	raw, err := io.ReadAll(io.LimitReader(body, maxBodyBytes+1))
	if err != nil {
		return token.Value{}, errors.New("the body cannot be read")
	}
	if len(raw) > maxBodyBytes {
		return token.Value{}, errors.New("the body is too large")
	}
	var req struct {
		Token *string `json:"token"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return token.Value{}, errors.New(`the body must be {"token": "<token>"}`)
	}
	switch {
	case req.Token == nil || *req.Token == "":
		return token.Value{}, errors.New("token: must not be empty")
	case len(*req.Token) > MaxTokenBytes:
		return token.Value{}, errors.New("token: longer than 1024 bytes")
	}
	return token.NewValue([]byte(*req.Token)), nil
}

func (v *Verifier) serveVerify(w http.ResponseWriter, r *http.Request) {
	presented, err := ParseVerifyBody(r.Body)
	if err != nil {
		query.WriteJSON(w, http.StatusBadRequest, errorBody{Error: err.Error()})
		return
	}
	id, ok := v.Verify(presented)
	if !ok {
		query.WriteJSON(w, http.StatusUnauthorized, Result{Valid: false})
		return
	}
	res := Result{Valid: true, Namespace: id.Namespace, Name: id.Name, Principal: id.Principal, Type: query.APIName(id.Type)}
	if id.ExpirationDate != nil {
		ms := id.ExpirationDate.UnixMilli()
		res.ExpirationDate = &ms
	}
	query.WriteJSON(w, http.StatusOK, res)
}

// serveTokenReview answers a Kubernetes TokenReview, so that kube-apiserver's
// webhook token authentication (or any TokenReview client) can use ApiTokens.
func (v *Verifier) serveTokenReview(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil || len(raw) > maxBodyBytes {
		query.WriteJSON(w, http.StatusBadRequest, errorBody{Error: "the body cannot be read or is too large"})
		return
	}
	review := &authenticationv1.TokenReview{}
	if err := json.Unmarshal(raw, review); err != nil {
		query.WriteJSON(w, http.StatusBadRequest, errorBody{Error: "the body must be an authentication.k8s.io/v1 TokenReview"})
		return
	}
	presented := review.Spec.Token
	review.Spec.Token = "" // never echoed back
	review.APIVersion, review.Kind = authenticationv1.SchemeGroupVersion.String(), "TokenReview"
	review.Status = authenticationv1.TokenReviewStatus{}
	if len(presented) > 0 && len(presented) <= MaxTokenBytes {
		if id, ok := v.Verify(token.NewValue([]byte(presented))); ok {
			review.Status = authenticationv1.TokenReviewStatus{
				Authenticated: true,
				User: authenticationv1.UserInfo{
					Username: "apitoken:" + id.Namespace + ":" + id.Name,
					UID:      id.UID,
					Groups:   []string{"apitoken:type:" + string(id.Type), "apitoken:principal:" + id.Principal, "apitoken:namespace:" + id.Namespace},
					Extra:    map[string]authenticationv1.ExtraValue{"auth.apitoken.io/principal": {id.Principal}},
				},
				Audiences: review.Spec.Audiences,
			}
		}
	}
	query.WriteJSON(w, http.StatusOK, review)
}
