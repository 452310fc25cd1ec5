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

// Package exchange is "kubectl apitoken exchange": a token traded for a
// short-lived signed access token at the operator's issuer, sent only to
// the token endpoint on the issuer's own origin.
package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/spf13/cobra"

	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
	"github.com/apitoken-io/apitoken-operator/internal/cli/factory"
	"github.com/apitoken-io/apitoken-operator/internal/cli/flags"
	"github.com/apitoken-io/apitoken-operator/internal/cli/tokenvalue"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// IssuerURLEnv names the issuer when --issuer-url is not given.
const IssuerURLEnv = "APITOKEN_ISSUER_URL"

// maxTokenResponse bounds what is read from the token endpoint.
const maxTokenResponse = 1 << 20

// Options are exchange's flags and the token it exchanges.
type Options struct {
	factory   *factory.Factory
	name      string
	issuerURL string
	issuerCA  string
	audiences []string
	scopes    []string
	tokenFile string
	output    string
}

var _ factory.Command = &Options{}

// NewCmd is "exchange NAME".
func NewCmd(f *factory.Factory) *cobra.Command {
	e := &Options{}
	cmd := &cobra.Command{
		Use:   "exchange NAME",
		Short: "Exchange a token for a short-lived signed access token (JWT) at the operator's issuer",
		Long: `Exchange the ApiToken NAME for an access token at the issuer's token endpoint
(client_credentials, the client being <namespace>/<name>), and print it.

The value is read from the token's Secret (Secret-held tokens; needs get on
that Secret), or from --token-file (a hash-only token's value is only where
you keep it; "-" reads stdin). The issuer is --issuer-url, or $` + IssuerURLEnv + `.`,
		Example: `  kubectl apitoken exchange billing --issuer-url https://issuer.example.com --audience reports
  kubectl apitoken exchange laptop --token-file ~/.config/laptop.token --scope read:reports -o json`,
		Args:              clierrors.ExactlyOneName,
		ValidArgsFunction: f.CompleteNames(),
		RunE:              factory.RunE(f, e),
	}
	fs := cmd.Flags()
	fs.StringVar(&e.issuerURL, "issuer-url", os.Getenv(IssuerURLEnv), "The issuer (its discovery document names the token endpoint); default $"+IssuerURLEnv)
	fs.StringVar(&e.issuerCA, "issuer-ca-file", "", "PEM CA bundle to trust for the issuer, besides the system's")
	fs.StringSliceVar(&e.audiences, "audience", nil, "Audience of the access token (repeatable); default the issuer's")
	fs.StringSliceVar(&e.scopes, "scope", nil, "Scopes to ask for, within the token's own (repeatable); default all of them")
	fs.StringVar(&e.tokenFile, "token-file", "", `Read the token's value from this file ("-": stdin) instead of its Secret`)
	fs.StringVarP(&e.output, "output", "o", "", "json: print the token endpoint's whole response")
	_ = cmd.RegisterFlagCompletionFunc("output", flags.CompleteFixed("json"))
	return cmd
}

// Complete takes the NAME.
func (e *Options) Complete(f *factory.Factory, _ *cobra.Command, args []string) error {
	e.factory, e.name = f, args[0]
	return nil
}

// Validate checks --output and the issuer's URL.
func (e *Options) Validate() error {
	if e.output != "" && e.output != "json" {
		return clierrors.Usagef("--output %q: use json, or leave it out to print the access token alone", e.output)
	}
	issuer, err := url.Parse(e.issuerURL)
	if err != nil || e.issuerURL == "" || issuer.Host == "" || (issuer.Scheme != "https" && !loopback(issuer)) {
		return clierrors.Usagef("--issuer-url %q: give the issuer's https URL (or set $%s), as the operator's --issuer-url names it", e.issuerURL, IssuerURLEnv)
	}
	return nil
}

// Run reads the value, finds the token endpoint in the issuer's discovery
// document and prints what it answers.
func (e *Options) Run(ctx context.Context) error {
	name := e.name
	hc, err := e.httpClient()
	if err != nil {
		return err
	}
	kc, err := e.factory.Clients()
	if err != nil {
		return err
	}
	value, err := e.value(ctx, kc, name)
	if err != nil {
		return err
	}
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, hc), strings.TrimSuffix(e.issuerURL, "/"))
	if err != nil {
		return fmt.Errorf("reading the issuer's discovery document: %w", err)
	}
	endpoint := provider.Endpoint().TokenURL
	if err := sameOrigin(e.issuerURL, endpoint); err != nil {
		return err
	}
	body, err := e.exchange(ctx, hc, endpoint, kc.Namespace+"/"+name, value)
	if err != nil {
		return err
	}
	if e.output == "json" {
		_, err = e.factory.Out.Write(append(body, '\n'))
		return err
	}
	var resp struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &resp); err != nil || resp.AccessToken == "" {
		return fmt.Errorf("the token endpoint answered 200 without an access_token")
	}
	_, err = fmt.Fprintln(e.factory.Out, resp.AccessToken)
	return err
}

// value is the token's value: --token-file, else its Secret.
func (e *Options) value(ctx context.Context, kc *factory.Clients, name string) (token.Value, error) {
	switch e.tokenFile {
	case "":
		b, err := kc.SecretValue(ctx, name, false)
		if err != nil {
			return token.Value{}, fmt.Errorf("%w (a hash-only token's value is where you keep it: pass --token-file)", err)
		}
		return token.NewValue(b), nil
	case "-":
		b, err := io.ReadAll(io.LimitReader(e.factory.In, token.MaxBytes+2))
		if err != nil {
			return token.Value{}, fmt.Errorf("reading the value from stdin: %w", err)
		}
		return token.NewValue(tokenvalue.TrimNewline(b)), nil
	default:
		b, err := os.ReadFile(e.tokenFile)
		if err != nil {
			return token.Value{}, fmt.Errorf("--token-file: %w", err)
		}
		return token.NewValue(tokenvalue.TrimNewline(b)), nil
	}
}

// exchange posts the client_credentials grant, the token as the client
// secret in HTTP Basic (RFC 6749 §2.3.1: each part form-encoded), and
// returns the response body. An error never quotes the value.
func (e *Options) exchange(ctx context.Context, hc *http.Client, endpoint, clientID string, value token.Value) ([]byte, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	for _, a := range e.audiences {
		form.Add("audience", a)
	}
	if len(e.scopes) > 0 {
		form.Set("scope", strings.Join(e.scopes, " "))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("token endpoint %q: %w", endpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(string(value.Reveal())))
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("calling the token endpoint: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse))
	if err != nil {
		return nil, fmt.Errorf("reading the token endpoint's answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var oauthErr struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(body, &oauthErr) == nil && oauthErr.Error != "" {
			return nil, fmt.Errorf("the token endpoint refused the exchange: %s: %s", oauthErr.Error, oauthErr.Description)
		}
		return nil, fmt.Errorf("the token endpoint answered %s", resp.Status)
	}
	return body, nil
}
