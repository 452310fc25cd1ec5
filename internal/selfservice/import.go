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
	"fmt"
	"time"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// ImportRequest is PUT /api/v1/tokens/{namespace}/{name}: a value the
// caller holds, stored hash-only.
type ImportRequest struct {
	Metadata
	Value token.Value
}

// ParseImport parses the body of PUT /api/v1/tokens/{namespace}/{name};
// namespace and name come from the path. The value must pass the default
// rule (exactly 32 of [a-z0-9]) or the RE2 "pattern" (the whole value).
// No error quotes the value.
func ParseImport(namespace, name string, raw []byte) (ImportRequest, error) {
	var body struct {
		rawMetadata
		Token   *string `json:"token"`
		TTL     *string `json:"ttl"`
		Pattern string  `json:"pattern"`
	}
	if err := decode(raw, &body, `{"token": "<the value you hold>", "type": "USER", "principal": "...", "ttl": "720h", "pattern": "<optional RE2>"}`, false); err != nil {
		return ImportRequest{}, err
	}
	for field, v := range map[string]string{"namespace": body.Namespace, "name": body.Name} {
		if v != "" {
			return ImportRequest{}, fieldErr(field, "comes from the path /api/v1/tokens/{namespace}/{name}: leave it out of the body")
		}
	}
	body.Namespace, body.Name = namespace, name
	ttl, err := parseDuration("ttl", body.TTL, time.Second)
	if err != nil {
		return ImportRequest{}, err
	}
	req := ImportRequest{}
	if req.Metadata, err = body.parse(ttl); err != nil {
		return req, err
	}
	if body.Token == nil || *body.Token == "" {
		return req, fieldErr("token", "is required: the value you hold")
	}
	if len(*body.Token) > token.MaxBytes {
		return req, fieldErr("token", "is longer than %d bytes", token.MaxBytes)
	}
	if n := len([]rune(*body.Token)); n < token.MinLength {
		return req, fieldErr("token", "is %d characters: an imported token needs at least %d, or its fingerprint and last characters would give it away", n, token.MinLength)
	}
	rule, err := token.NewImportRule(body.Pattern)
	if err != nil {
		return req, fieldErr("pattern", "%s", err.Error())
	}
	req.Value = token.NewValue([]byte(*body.Token))
	if err := rule.Check(req.Value); err != nil {
		return req, fieldErr("token", "%s", err.Error())
	}
	return req, nil
}

// ApiToken builds the hash-only ApiToken of a new import.
func (r ImportRequest) ApiToken(createdBy string) *authv1alpha1.ApiToken {
	tok := r.object(createdBy)
	tok.Spec.Source = &authv1alpha1.TokenSource{Hashed: hashedSource(r.Value, nil)}
	return tok
}

// Replace makes the imported value the current token of an existing
// hash-only ApiToken (a new value is a new token, so a revoked one becomes
// valid again with it) and applies the metadata the request carries. It
// returns a *Conflict for a token held in a Secret.
func (r ImportRequest) Replace(tok *authv1alpha1.ApiToken) error {
	h := tok.Hashed()
	if h == nil {
		return &Conflict{fmt.Sprintf("ApiToken %s/%s holds its token in Secret %q: only a hash-only token takes an imported value; delete it first or choose another name",
			tok.Namespace, tok.Name, tok.SecretName())}
	}
	next := hashedSource(r.Value, h.Generate)
	if tok.Spec.Revoked && next.TokenHash == h.TokenHash {
		return &Conflict{fmt.Sprintf("ApiToken %s/%s was revoked with this value, and a revoked token never verifies again: import a new value", tok.Namespace, tok.Name)}
	}
	tok.Spec.Source.Hashed = next
	tok.Spec.Revoked = false
	r.applyTo(tok)
	return nil
}

// Conflict is a request the ApiToken's current state does not allow.
type Conflict struct{ Message string }

func (e *Conflict) Error() string { return e.Message }
