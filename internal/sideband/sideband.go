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

// Package sideband is PingIntelligence ASE's sideband Token REST API
// (/v5/ase/sideband/token) over the ApiTokens of one namespace: its shapes
// (request body, answers, time format; sideband.go) and its handlers
// (api.go), which write through writeapi. The tokens are hash-only.
package sideband

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// Path is the API's one path; POST creates, PUT imports, DELETE deletes,
// GET lists.
const Path = "/v5/ase/sideband/token"

// Statuses and messages of the API's answers.
const (
	StatusCreated = "token_created"
	StatusSuccess = "success"
	StatusFailure = "failure"

	MessageImported = "Sideband token imported."
	MessageDeleted  = "Sideband token deleted."
)

// TimeFormat is the API's created_at format ("2021-May-06 14:02:44"), in UTC.
const TimeFormat = "2006-Jan-02 15:04:05"

// Length and Charset are the API's token format: 32 of [a-z0-9].
const Length = 32

// Charset is the generator's charset of that format.
const Charset = authv1alpha1.CharsetLowerAlphanumeric

// Created answers a POST: the value, shown this once.
type Created struct {
	Status string `json:"status"`
	Token  string `json:"token"`
}

// Result answers a PUT or DELETE, and every refusal (StatusFailure).
type Result struct {
	Status  string `json:"status"`
	Message string `json:"status_message"`
}

// Failure is a refusal in the API's shape.
func Failure(format string, args ...any) Result {
	return Result{Status: StatusFailure, Message: fmt.Sprintf(format, args...)}
}

// Listed is one token of a GET: never a value, only its last characters.
type Listed struct {
	Token     string `json:"token"`
	CreatedAt string `json:"created_at"`
}

// List answers a GET.
type List struct {
	SidebandTokens []Listed `json:"sideband_tokens"`
}

// Entry is the listing of a token whose value ends in lastChars, created
// at created (zero: not yet).
func Entry(lastChars string, created time.Time) Listed {
	l := Listed{Token: "…" + lastChars}
	if !created.IsZero() {
		l.CreatedAt = created.UTC().Format(TimeFormat)
	}
	return l
}

// MaxBodyBytes bounds a request body.
const MaxBodyBytes = 4 << 10

// ParseToken reads {"token": "<32 of [a-z0-9]>"}, the body of PUT and
// DELETE. No error quotes the value.
func ParseToken(raw []byte) (token.Value, error) {
	var body struct {
		Token *string `json:"token"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || dec.More() {
		return token.Value{}, errors.New(`the body must be the JSON object {"token": "<32 characters of a-z and 0-9>"}`)
	}
	switch {
	case body.Token == nil || *body.Token == "":
		return token.Value{}, errors.New("token: required: the 32-character sideband token")
	case !valid(*body.Token):
		return token.Value{}, fmt.Errorf("token: must be %d characters, each a lowercase letter a-z or a digit 0-9", Length)
	}
	return token.NewValue([]byte(*body.Token)), nil
}

func valid(s string) bool {
	if len(s) != Length {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// Generate is how a POST draws a value: the API's format.
func Generate() authv1alpha1.GenerateSource {
	return authv1alpha1.GenerateSource{Length: Length, Charset: Charset}.WithDefaults()
}
