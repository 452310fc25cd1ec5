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

package writeapi

import (
	"fmt"
	"net/http"

	"k8s.io/apiserver/pkg/endpoints/request"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/grant"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
)

// The "Token Management Route" shapes: POST /api/v2/token and
// DELETE /api/v2/token/{id}, id being the ApiToken's UID.

// TokenCreateResponse is the body of POST /api/v2/token: dates in epoch
// milliseconds, null when absent.
type TokenCreateResponse struct {
	ID             string `json:"id"`
	Token          string `json:"token"`
	TokenName      string `json:"tokenName"`
	TokenType      string `json:"tokenType"`
	PrincipalName  string `json:"principalName"`
	CreationDate   *int64 `json:"creationDate"`
	ExpirationDate *int64 `json:"expirationDate"`
}

// CreateV2 answers POST /api/v2/token: always a hash-only token, its value
// in the response.
func (s *API) CreateV2(w http.ResponseWriter, r *http.Request) {
	c, ok := s.createToken(w, r, selfservice.ParseCreateV2)
	if !ok {
		return
	}
	row := s.cachedRow(c.tok)
	dto := query.DTO(&row, s.Links)
	httpserver.WriteJSON(w, http.StatusCreated, TokenCreateResponse{ID: dto.ID, Token: string(c.value.Reveal()), TokenName: dto.TokenName,
		TokenType: dto.TokenType, PrincipalName: dto.PrincipalName, CreationDate: dto.CreationDate, ExpirationDate: dto.ExpirationDate})
}

// DeleteV2 answers DELETE /api/v2/token/{id}: 200 {"id", "status":
// "deleted"}; 404 when no token of that id exists or the caller may not
// see it.
func (s *API) DeleteV2(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	notFound := func() { httpserver.WriteError(w, http.StatusNotFound, fmt.Sprintf("token %q not found", id)) }
	row, ok := s.Model.GetByUID(id)
	if !ok {
		notFound()
		return
	}
	u, _ := request.UserFrom(r.Context())
	g, err := grant.For(r.Context(), s.Access, u, "delete", row.Namespace)
	if err != nil {
		s.Access.AuthorizationFailed(w, u, err)
		return
	}
	if !g.Covers(&row, u) {
		notFound()
		return
	}
	tok := &authv1alpha1.ApiToken{}
	if err := s.Reader.Get(r.Context(), client.ObjectKey{Namespace: row.Namespace, Name: row.Name}, tok); err != nil || string(tok.UID) != id {
		notFound()
		return
	}
	if fresh := readmodel.RowFor(tok); !g.Covers(&fresh, u) {
		notFound()
		return
	}
	if s.deleteToken(w, r, tok, g) {
		httpserver.WriteJSON(w, http.StatusOK, map[string]string{"id": id, "status": "deleted"})
	}
}
