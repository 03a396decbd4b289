package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/pflag"
)

// awsFlags are how a command reaches AWS: audit and doctor declare them with it, once.
type awsFlags struct {
	endpointURL string
	maxAttempts int
}

func (a *awsFlags) addAWS(fl *pflag.FlagSet, endpointUsage string) {
	fl.StringVar(&a.endpointURL, "endpoint-url", "", endpointUsage)
	fl.IntVar(&a.maxAttempts, "max-attempts", 5, "attempts per API call (throttling is retried with backoff)")
}

// config loads the caller's credentials (AWS_PROFILE, environment, SSO) for region, with the
// SDK's standard retryer (which backs off on throttling) at maxAttempts.
func (a *awsFlags) config(ctx context.Context, region string) (aws.Config, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region), awsconfig.WithRetryMaxAttempts(a.maxAttempts))
	if err != nil {
		return cfg, fmt.Errorf("loading AWS credentials: %w", err)
	}
	if a.endpointURL != "" {
		cfg.BaseEndpoint = aws.String(a.endpointURL)
	}
	return cfg, nil
}
