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

// Package accesstoken is the rule of the short-lived access tokens an
// ApiToken is exchanged for: which scopes and audiences a request may have,
// how long the token lives, and its claims (the JWT profile of RFC 9068),
// signed with the issuer's current key. It knows nothing of HTTP: the token
// endpoint parses the request, redeems the ApiToken, then calls Grant and
// Sign.
package accesstoken

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/scope"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
)

// SubjectPrefix starts every access token's sub, which is the username
// TokenReview gives the same ApiToken: apitoken:<namespace>:<name>.
const SubjectPrefix = "apitoken:"

// ClaimsKey is the private claim that describes the ApiToken.
const ClaimsKey = "apitoken.io"

// Claims are an access token's claims.
type Claims struct {
	jwt.Claims
	ClientID string `json:"client_id"`
	Scope    string `json:"scope,omitempty"`
	// Groups holds NamespaceGroup of the ApiToken's namespace: a consumer
	// that maps it (kube-apiserver's claimMappings.groups) recognises an
	// ApiToken identity even behind a username prefix.
	Groups   []string    `json:"groups,omitempty"`
	ApiToken TokenClaims `json:"apitoken.io"`
}

// NamespaceGroup is the group of every ApiToken identity of namespace ns,
// in TokenReview answers and access tokens alike.
func NamespaceGroup(ns string) string { return SubjectPrefix + "namespace:" + ns }

// TokenClaims describe the ApiToken an access token was exchanged for.
type TokenClaims struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	UID       string `json:"uid"`
	Type      string `json:"type"`
	Principal string `json:"principal"`
	Revision  int64  `json:"revision"`
}

// Request is what the client asked for besides the token itself.
type Request struct {
	// Scopes are the requested scopes (the scope parameter, split); nil
	// asks for all of the ApiToken's scopes.
	Scopes []string
	// Audiences are the requested audiences (audience parameters); nil
	// asks for the issuer's default.
	Audiences []string
}

// Refusal is a request the rule refuses, as an OAuth error code (RFC 6749
// §5.2) and a description that names the parameter.
type Refusal struct {
	Code        string
	Description string
}

func (r *Refusal) Error() string { return r.Code + ": " + r.Description }

// OAuth error codes of the token endpoint.
const (
	InvalidRequest       = "invalid_request"
	InvalidClient        = "invalid_client"
	InvalidGrant         = "invalid_grant"
	InvalidScope         = "invalid_scope"
	UnsupportedGrantType = "unsupported_grant_type"
)

// Issuer mints access tokens.
type Issuer struct {
	// URL is the iss claim, and the default audience without
	// DefaultAudience.
	URL             string
	DefaultAudience string
	// AllowedAudiences caps the audiences any ApiToken may list in
	// spec.accessToken.audiences (--issuer-allowed-audiences); empty: no
	// cap. The default audience is always allowed.
	AllowedAudiences []string
	// PersonalAudiences are the only audiences of personal tokens
	// (--self-service-audiences); empty: the default audience.
	PersonalAudiences []string
}

// Default is the audience of a request that names none.
func (is *Issuer) Default() string {
	if is.DefaultAudience != "" {
		return is.DefaultAudience
	}
	return is.URL
}

// Audiences are the audiences id may have access tokens for, safe by
// default: without spec.accessToken.audiences only the default audience;
// with them, those the issuer's cap allows; for a personal token only the
// self-service audiences (a person cannot widen them). A nil *Issuer (the
// issuer is off) allows what the ApiToken lists.
func (is *Issuer) Audiences(id verify.Identity) []string {
	if is == nil {
		return id.Audiences
	}
	if id.Personal {
		if len(is.PersonalAudiences) == 0 {
			return []string{is.Default()}
		}
		return is.PersonalAudiences
	}
	if len(id.Audiences) == 0 {
		return []string{is.Default()}
	}
	if len(is.AllowedAudiences) == 0 {
		return id.Audiences
	}
	out := make([]string, 0, len(id.Audiences))
	for _, a := range id.Audiences {
		if a == is.Default() || slices.Contains(is.AllowedAudiences, a) {
			out = append(out, a)
		}
	}
	return out
}

// Grant decides the claims of an access token for id at now, or refuses:
// invalid_scope for a scope the ApiToken does not cover, invalid_request for
// an audience outside spec.accessToken.audiences, invalid_grant when the
// ApiToken expires within the second.
func (is *Issuer) Grant(id verify.Identity, req Request, now time.Time) (Claims, error) {
	scopes := id.Scopes
	if req.Scopes != nil {
		// Descriptions name the place in the request, never the value: a
		// client that mixed up its parameters may have put a token there.
		if len(req.Scopes) > scope.MaxScopes {
			return Claims{}, &Refusal{InvalidScope, fmt.Sprintf("scope: %d scopes requested, at most %d are allowed", len(req.Scopes), scope.MaxScopes)}
		}
		for i, s := range req.Scopes {
			switch {
			case scope.Validate([]string{s}) != nil:
				return Claims{}, &Refusal{InvalidScope, fmt.Sprintf("scope[%d]: not a scope: 1 to %d of A-Z a-z 0-9 : . _ / * -", i, scope.MaxLength)}
			case slices.Contains(req.Scopes[:i], s):
				return Claims{}, &Refusal{InvalidScope, fmt.Sprintf("scope[%d]: listed twice", i)}
			case !scope.Covers(id.Scopes, s):
				return Claims{}, &Refusal{InvalidScope, fmt.Sprintf("scope[%d]: not among the token's scopes", i)}
			}
		}
		scopes = req.Scopes
	}
	aud := req.Audiences
	if len(aud) == 0 {
		aud = []string{is.Default()}
	}
	allowed := is.Audiences(id)
	for i, a := range aud {
		if !slices.Contains(allowed, a) {
			what := fmt.Sprintf("audience[%d]: not", i)
			if len(req.Audiences) == 0 {
				what = fmt.Sprintf("audience: none requested, and the default audience %q is not", a)
			}
			return Claims{}, &Refusal{InvalidRequest, fmt.Sprintf("%s among the audiences this token allows (%s)",
				what, strings.Join(quoted(allowed), ", "))}
		}
	}
	issued := now.Truncate(time.Second)
	// The CRD bounds the ttl; the bound is enforced here too, since the
	// signing keys stay published only MaxAccessTokenTTL after they retire.
	exp := now.Add(min(id.AccessTokenTTL, authv1alpha1.MaxAccessTokenTTL))
	if !id.ExpirationDate.IsZero() && id.ExpirationDate.Before(exp) {
		exp = id.ExpirationDate
	}
	exp = exp.Truncate(time.Second)
	if !exp.After(issued) {
		return Claims{}, &Refusal{InvalidGrant, invalidGrantDescription}
	}
	jti, err := newID()
	if err != nil {
		return Claims{}, err
	}
	return Claims{
		Claims: jwt.Claims{
			Issuer: is.URL, Subject: SubjectPrefix + id.Namespace + ":" + id.Name, Audience: jwt.Audience(aud),
			Expiry: jwt.NewNumericDate(exp), NotBefore: jwt.NewNumericDate(issued), IssuedAt: jwt.NewNumericDate(issued), ID: jti,
		},
		ClientID: id.Namespace + "/" + id.Name,
		Scope:    strings.Join(scopes, " "),
		Groups:   []string{NamespaceGroup(id.Namespace)},
		ApiToken: TokenClaims{Namespace: id.Namespace, Name: id.Name, UID: id.UID, Type: authv1alpha1.APIName(id.Type),
			Principal: id.Principal, Revision: id.Revision},
	}, nil
}

// invalidGrantDescription is the one description of every refused token:
// unknown, expired, revoked, failed or another ApiToken's look the same.
const invalidGrantDescription = "the token is not valid"

// InvalidGrantRefusal is the refusal of a token that does not verify.
func InvalidGrantRefusal() *Refusal { return &Refusal{InvalidGrant, invalidGrantDescription} }

// Sign signs the claims as a compact JWS.
func Sign(signer jose.Signer, c Claims) (string, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encoding the access token claims: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("signing the access token: %w", err)
	}
	return jws.CompactSerialize()
}

// ExpiresIn is the access token's lifetime from now, in whole seconds.
func (c Claims) ExpiresIn(now time.Time) int64 {
	return c.Expiry.Time().Unix() - now.Unix()
}

func newID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", errors.New("drawing a token id")
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func quoted(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}
