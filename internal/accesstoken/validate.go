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

package accesstoken

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
)

// Valid decodes the payload of an access token whose signature the issuer's
// keys verified and says whether its claims hold at now: this issuer's iss,
// an apitoken: subject naming the ApiToken of its apitoken.io claim, a
// current nbf and an exp still ahead. Whether the ApiToken behind it still
// holds is the caller's question (see Behind).
func (is *Issuer) Valid(payload []byte, now time.Time) (Claims, bool) {
	var c Claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return Claims{}, false
	}
	t := c.ApiToken
	if c.Issuer != is.URL || t.Namespace == "" || t.Name == "" || t.UID == "" ||
		c.Subject != SubjectPrefix+t.Namespace+":"+t.Name || c.ClientID != t.Namespace+"/"+t.Name {
		return Claims{}, false
	}
	// No leeway: the issuer's own clock decides, on every replica alike.
	// RFC 7519 §4.1.4: valid only before exp (go-jose accepts exp itself).
	if c.ValidateWithLeeway(jwt.Expected{Time: now}, 0) != nil || c.Expiry == nil || !now.Before(c.Expiry.Time()) {
		return Claims{}, false
	}
	return c, true
}

// LooksSigned says whether a presented value has the shape of a compact JWS
// (three base64url parts): an ApiToken value never has two dots and the
// header's "{" (eyJ) in front.
func LooksSigned(v string) bool {
	return strings.HasPrefix(v, "eyJ") && strings.Count(v, ".") == 2
}
