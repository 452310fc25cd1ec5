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

package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/spf13/cobra"

	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// IssuerURLEnv names the issuer when --issuer-url is not given.
const IssuerURLEnv = "APITOKEN_ISSUER_URL"

// maxTokenResponse bounds what is read from the token endpoint.
const maxTokenResponse = 1 << 20

type exchangeOptions struct {
	*options
	issuerURL string
	issuerCA  string
	audiences []string
	scopes    []string
	tokenFile string
	output    string
}

func newExchangeCommand(o *options) *cobra.Command {
	e := &exchangeOptions{options: o}
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
		Args:              exactlyOneName,
		ValidArgsFunction: completeNames(o),
		RunE:              func(cmd *cobra.Command, args []string) error { return e.run(cmd, args[0]) },
	}
	f := cmd.Flags()
	f.StringVar(&e.issuerURL, "issuer-url", os.Getenv(IssuerURLEnv), "The issuer (its discovery document names the token endpoint); default $"+IssuerURLEnv)
	f.StringVar(&e.issuerCA, "issuer-ca-file", "", "PEM CA bundle to trust for the issuer, besides the system's")
	f.StringSliceVar(&e.audiences, "audience", nil, "Audience of the access token (repeatable); default the issuer's")
	f.StringSliceVar(&e.scopes, "scope", nil, "Scopes to ask for, within the token's own (repeatable); default all of them")
	f.StringVar(&e.tokenFile, "token-file", "", `Read the token's value from this file ("-": stdin) instead of its Secret`)
	f.StringVarP(&e.output, "output", "o", "", "json: print the token endpoint's whole response")
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletions("json"))
	return cmd
}

func (e *exchangeOptions) run(cmd *cobra.Command, name string) error {
	if e.output != "" && e.output != "json" {
		return usagef("--output %q: use json, or leave it out to print the access token alone", e.output)
	}
	issuer, err := url.Parse(e.issuerURL)
	if err != nil || e.issuerURL == "" || issuer.Host == "" || (issuer.Scheme != "https" && !loopback(issuer)) {
		return usagef("--issuer-url %q: give the issuer's https URL (or set $%s), as the operator's --issuer-url names it", e.issuerURL, IssuerURLEnv)
	}
	hc, err := e.httpClient()
	if err != nil {
		return err
	}
	kc, err := e.kube()
	if err != nil {
		return err
	}
	ctx := cmd.Context()
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
	body, err := e.exchange(ctx, hc, endpoint, kc.namespace+"/"+name, value)
	if err != nil {
		return err
	}
	if e.output == "json" {
		_, err = e.Out.Write(append(body, '\n'))
		return err
	}
	var resp struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &resp); err != nil || resp.AccessToken == "" {
		return fmt.Errorf("the token endpoint answered 200 without an access_token")
	}
	_, err = fmt.Fprintln(e.Out, resp.AccessToken)
	return err
}

// value is the token's value: --token-file, else its Secret.
func (e *exchangeOptions) value(ctx context.Context, kc *clients, name string) (token.Value, error) {
	switch e.tokenFile {
	case "":
		b, err := secretValue(ctx, kc, name, false)
		if err != nil {
			return token.Value{}, fmt.Errorf("%w (a hash-only token's value is where you keep it: pass --token-file)", err)
		}
		return token.NewValue(b), nil
	case "-":
		b, err := io.ReadAll(io.LimitReader(e.In, token.MaxBytes+2))
		if err != nil {
			return token.Value{}, fmt.Errorf("reading the value from stdin: %w", err)
		}
		return token.NewValue(trimNewline(b)), nil
	default:
		b, err := os.ReadFile(e.tokenFile)
		if err != nil {
			return token.Value{}, fmt.Errorf("--token-file: %w", err)
		}
		return token.NewValue(trimNewline(b)), nil
	}
}

// exchange posts the client_credentials grant, the token as the client
// secret in HTTP Basic (RFC 6749 §2.3.1: each part form-encoded), and
// returns the response body. An error never quotes the value.
func (e *exchangeOptions) exchange(ctx context.Context, hc *http.Client, endpoint, clientID string, value token.Value) ([]byte, error) {
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

func (e *exchangeOptions) httpClient() (*http.Client, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if e.issuerCA != "" {
		pem, err := os.ReadFile(e.issuerCA)
		if err != nil {
			return nil, fmt.Errorf("--issuer-ca-file: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--issuer-ca-file %q holds no PEM certificate", e.issuerCA)
		}
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		Proxy:           http.ProxyFromEnvironment,
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	},
		// A redirect is answered as it is: never followed with the token
		// in the request.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// sameOrigin refuses a token endpoint that the issuer's discovery document
// names elsewhere than on the issuer's own origin, or over plain http
// (loopback aside): the token would be sent there.
func sameOrigin(issuerURL, endpoint string) error {
	issuer, err := url.Parse(issuerURL)
	if err != nil {
		return fmt.Errorf("--issuer-url %q: %w", issuerURL, err)
	}
	u, err := url.Parse(endpoint)
	switch {
	case err != nil || u.Host == "":
		return fmt.Errorf("the issuer's discovery document names token endpoint %q, which is not a URL: refusing to send the token", endpoint)
	case u.Scheme != "https" && !loopback(u):
		return fmt.Errorf("the issuer's discovery document names token endpoint %q, which is not https: refusing to send the token", endpoint)
	case u.Scheme != issuer.Scheme || !strings.EqualFold(u.Host, issuer.Host):
		return fmt.Errorf("the issuer's discovery document names token endpoint %q, which is not on the issuer's origin %s://%s: refusing to send the token",
			endpoint, issuer.Scheme, issuer.Host)
	}
	return nil
}

// loopback allows http:// for an issuer on this machine (make dev).
func loopback(u *url.URL) bool {
	h := u.Hostname()
	return u.Scheme == "http" && (h == "127.0.0.1" || h == "localhost" || h == "::1")
}
