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

package query

import (
	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
)

// Response is the body of every list endpoint.
type Response struct {
	PageInfo  PageInfo   `json:"pageInfo"`
	ApiTokens []TokenDTO `json:"apiTokens"`
}

// PageInfo describes the page.
type PageInfo struct {
	TotalCount int `json:"totalCount"`
	Page       int `json:"page"`
	PageSize   int `json:"pageSize"`
}

// TokenDTO is one token's metadata. It has no field that could hold a token
// value: tokenLastChars is the most it shows.
type TokenDTO struct {
	ID               string   `json:"id"`
	Namespace        string   `json:"namespace"`
	Name             string   `json:"name"`
	TokenName        string   `json:"tokenName"`
	TokenDescription string   `json:"tokenDescription"`
	TokenType        string   `json:"tokenType"`
	PrincipalName    string   `json:"principalName"`
	TokenStatus      string   `json:"tokenStatus"`
	TokenLastChars   string   `json:"tokenLastChars"`
	CreationDate     *int64   `json:"creationDate"`
	ExpirationDate   *int64   `json:"expirationDate"`
	LastUsedDate     *int64   `json:"lastUsedDate"`
	ApiTokenTTL      *int64   `json:"apiTokenTtl"`
	SecretName       string   `json:"secretName"`
	Revision         int64    `json:"revision"`
	Scopes           []string `json:"scopes"`
	// HashOnly says no Secret holds the token: only its fingerprint is stored.
	HashOnly bool `json:"hashOnly"`
	// AccessTokenTTL is how long the access tokens this token is exchanged
	// for live, in seconds (spec.accessToken.ttl).
	AccessTokenTTL int64 `json:"accessTokenTtl"`
	// TokenEndpointURL and OIDCIssuerURL are where it is exchanged and who
	// signs the access tokens; null when the issuer is off.
	TokenEndpointURL *string `json:"tokenEndpointUrl"`
	OIDCIssuerURL    *string `json:"oidcIssuerUrl"`
	// PolicyViolations are the ApiTokenPolicy rules the token breaks, each
	// "<policy>: <message>"; [] when none.
	PolicyViolations []string `json:"policyViolations"`
}

// Links are the issuer's URLs every row shows; nil fields when the issuer
// is off.
type Links struct {
	TokenEndpoint, Issuer *string
}

// DTO converts a row for the response.
func DTO(r *readmodel.Row, links Links) TokenDTO {
	return TokenDTO{
		ID: r.UID, Namespace: r.Namespace, Name: r.Name, TokenName: r.TokenName(), TokenDescription: r.Description(),
		TokenType: authv1alpha1.APIName(r.Type()), PrincipalName: r.Principal(), TokenStatus: authv1alpha1.APIName(r.Status()), TokenLastChars: r.LastChars(),
		CreationDate: nullable(r.Created), ExpirationDate: nullable(r.Expires), LastUsedDate: nullable(r.LastUsed),
		ApiTokenTTL: nullable(r.TTLSeconds), SecretName: r.SecretName(), Revision: r.Revision,
		Scopes: nonNil(r.Scopes), HashOnly: r.Hashed,
		AccessTokenTTL: int64(r.AccessTTLSeconds), TokenEndpointURL: links.TokenEndpoint, OIDCIssuerURL: links.Issuer,
		PolicyViolations: violations(r.PolicyViolations()),
	}
}

// noViolations is the policyViolations of a token that breaks no rule.
var noViolations = []string{}

func violations(vs []authv1alpha1.PolicyViolation) []string {
	if len(vs) == 0 {
		return noViolations
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Policy + ": " + v.Message
	}
	return out
}

// NewResponse builds the body for a page of a query.
func NewResponse(q Query, p Page, links Links) Response {
	out := Response{PageInfo: PageInfo{TotalCount: p.TotalCount, Page: q.Page, PageSize: q.PageSize}, ApiTokens: make([]TokenDTO, len(p.Rows))}
	for i := range p.Rows {
		out.ApiTokens[i] = DTO(&p.Rows[i], links)
	}
	return out
}

func nullable(v int64) *int64 {
	if v == readmodel.Null {
		return nil
	}
	return &v
}

// nonNil makes an absent list an empty one in JSON.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
