package ai

import (
	"context"
	"time"
)

// Dispatcher is a Provider that hands each call to the adapter registered
// for the model's wire API.
type Dispatcher struct {
	byAPI map[string]Provider
}

// NewDispatcher returns a dispatcher over adapters keyed by wire API
// (APIAnthropicMessages, ...). The map is copied.
func NewDispatcher(byAPI map[string]Provider) *Dispatcher {
	d := &Dispatcher{byAPI: make(map[string]Provider, len(byAPI))}
	for api, p := range byAPI {
		d.byAPI[api] = p
	}
	return d
}

// Supports reports whether an adapter is registered for api.
func (d *Dispatcher) Supports(api string) bool {
	_, ok := d.byAPI[api]
	return ok
}

// Stream implements Provider. A model whose API has no adapter ends at once
// with an error message, as every other failure does.
func (d *Dispatcher) Stream(ctx context.Context, model *Model, c *Context, opts *StreamOptions, emit func(*StreamEvent)) *Message {
	if p, ok := d.byAPI[model.API]; ok {
		return p.Stream(ctx, model, c, opts, emit)
	}
	s := NewAssistantStream(model, emit, time.Now())
	return s.Fail(ctx, Failure("No API provider registered for api: "+model.API))
}
