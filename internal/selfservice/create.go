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

package selfservice

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// CreateRequest is POST /api/v1/tokens (and POST /api/v2/token).
type CreateRequest struct {
	Metadata
	// Generate is how the value is drawn, defaults applied.
	Generate authv1alpha1.GenerateSource
	// Secret, when set, makes the token Secret-held (for a workload): the
	// controller generates the value into that Secret and no value is
	// returned. Nil makes it hash-only: the server generates the value and
	// returns it once.
	Secret *authv1alpha1.SecretTarget
}

const createShape = `{"namespace": "...", "type": "USER", "principal": "...", "ttl": "720h", ...}`

// ParseCreate parses the body of POST /api/v1/tokens.
func ParseCreate(raw []byte) (CreateRequest, error) {
	var body struct {
		rawMetadata
		TTL      *string `json:"ttl"`
		Generate *struct {
			Length   int32  `json:"length"`
			Charset  string `json:"charset"`
			Prefix   string `json:"prefix"`
			Checksum bool   `json:"checksum"`
		} `json:"generate"`
		Secret *struct {
			Name string `json:"name"`
			Key  string `json:"key"`
		} `json:"secret"`
	}
	if err := decode(raw, &body, createShape, false); err != nil {
		return CreateRequest{}, err
	}
	ttl, err := parseDuration("ttl", body.TTL, time.Second)
	if err != nil {
		return CreateRequest{}, err
	}
	req := CreateRequest{}
	if req.Metadata, err = body.parse(ttl); err != nil {
		return req, err
	}
	if req.Namespace == "" {
		return req, fieldErr("namespace", "is required")
	}
	req.Generate = authv1alpha1.GenerateSource{}.WithDefaults()
	if g := body.Generate; g != nil {
		if g.Length != 0 {
			if g.Length < token.MinLength || g.Length > token.MaxLength {
				return req, fieldErr("generate.length", "%d is out of range: must be between %d and %d", g.Length, token.MinLength, token.MaxLength)
			}
			req.Generate.Length = g.Length
		}
		if g.Charset != "" {
			c, ok := authv1alpha1.ParseEnum(authv1alpha1.Charsets, g.Charset)
			if !ok {
				return req, fieldErr("generate.charset", "unknown charset %q: use one of %s", g.Charset, joinEnum(authv1alpha1.Charsets))
			}
			req.Generate.Charset = c
		}
		if !token.ValidPrefix(g.Prefix) {
			return req, fieldErr("generate.prefix", "%q must be at most 32 characters of A-Z a-z 0-9 _ -", g.Prefix)
		}
		req.Generate.Prefix, req.Generate.Checksum = g.Prefix, g.Checksum
	}
	if s := body.Secret; s != nil {
		req.Secret = &authv1alpha1.SecretTarget{Name: s.Name, Key: s.Key}
	}
	return req, nil
}

// ParseCreateV2 parses POST /api/v2/token, the TokenCreateRequest shape:
// ttl in seconds, type in either spelling; always a hash-only token with
// the default generator.
func ParseCreateV2(raw []byte) (CreateRequest, error) {
	var body struct {
		Namespace   string          `json:"namespace"`
		Name        string          `json:"name"`
		Type        string          `json:"type"`
		Principal   string          `json:"principal"`
		Description string          `json:"description"`
		TTL         json.RawMessage `json:"ttl"`
	}
	if err := decode(raw, &body, `{"namespace": "...", "type": "USER", "principal": "...", "ttl": 2592000}`, false); err != nil {
		return CreateRequest{}, err
	}
	var ttl time.Duration
	if len(body.TTL) > 0 && string(body.TTL) != "null" {
		secs, err := strconv.ParseInt(string(body.TTL), 10, 64)
		if err != nil || secs < 1 || secs > int64(time.Duration(1<<63-1)/time.Second) {
			return CreateRequest{}, fieldErr("ttl", "must be a whole number of seconds, at least 1")
		}
		ttl = time.Duration(secs) * time.Second
	}
	req := CreateRequest{Generate: authv1alpha1.GenerateSource{}.WithDefaults()}
	var err error
	req.Metadata, err = rawMetadata{Namespace: body.Namespace, Name: body.Name, Type: body.Type, Principal: body.Principal, Description: body.Description}.parse(ttl)
	if err != nil {
		return req, err
	}
	if req.Namespace == "" {
		return req, fieldErr("namespace", "is required")
	}
	return req, nil
}

// HashOnly builds the hash-only ApiToken for value, created by createdBy.
func (r CreateRequest) HashOnly(createdBy string, value token.Value) *authv1alpha1.ApiToken {
	tok := r.object(createdBy)
	gen := r.Generate
	tok.Spec.Source = &authv1alpha1.TokenSource{Hashed: hashedSource(value, &gen)}
	return tok
}

// SecretHeld builds the Secret-held ApiToken the controller generates into
// r.Secret.
func (r CreateRequest) SecretHeld(createdBy string) *authv1alpha1.ApiToken {
	tok := r.object(createdBy)
	gen := r.Generate
	tok.Spec.Source = &authv1alpha1.TokenSource{Generate: &gen}
	tok.Spec.Secret = *r.Secret
	return tok
}

func (m Metadata) object(createdBy string) *authv1alpha1.ApiToken {
	tok := &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Namespace: m.Namespace, Name: m.Name,
		Annotations: map[string]string{authv1alpha1.CreatedByAnnotation: createdBy}}}
	if m.Name == "" {
		tok.GenerateName = GenerateName(m.Principal)
	}
	m.applyTo(tok)
	return tok
}

// applyTo sets the spec fields the metadata carries (absent ones are left
// as they are).
func (m Metadata) applyTo(tok *authv1alpha1.ApiToken) {
	s := &tok.Spec
	if m.Type != "" {
		s.Type = m.Type
	}
	if m.Principal != "" {
		s.Principal = m.Principal
	}
	if m.DisplayName != "" {
		s.DisplayName = m.DisplayName
	}
	if m.Description != "" {
		s.Description = m.Description
	}
	if m.TTL > 0 {
		s.TTL = &metav1.Duration{Duration: m.TTL}
	}
	if m.Scopes != nil {
		s.Scopes = m.Scopes
	}
}

// hashedSource is the spec of a hash-only token holding value.
func hashedSource(value token.Value, gen *authv1alpha1.GenerateSource) *authv1alpha1.HashedSource {
	return &authv1alpha1.HashedSource{TokenHash: value.Fingerprint(), TokenLastChars: value.LastChars(LastChars), Generate: gen}
}

// LastChars is how many trailing characters of a value the spec shows.
const LastChars = 5

// maxGeneratedPrefix leaves room for the API server's 5 random characters
// within a name's 63 characters (a label-safe length).
const maxGeneratedPrefix = 40

// GenerateName is the metadata.generateName of a token named after its
// principal: "system:serviceaccount:ci:deployer" gives
// "system-serviceaccount-ci-deployer-", to which the API server appends 5
// random characters.
func GenerateName(principal string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(principal) {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		switch {
		case ok:
			b.WriteRune(c)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= maxGeneratedPrefix {
			break
		}
	}
	name := strings.TrimRight(b.String(), "-")
	if name == "" {
		name = "token"
	}
	return name + "-"
}

func joinEnum[T ~string](all []T) string {
	out := make([]string, len(all))
	for i, v := range all {
		out[i] = string(v)
	}
	return strings.Join(out, ", ")
}
