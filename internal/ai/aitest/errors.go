package aitest

import (
	"encoding/json"
	"net/http"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// errorDefault is how one kind of failure looks on one wire.
type errorDefault struct {
	status  int
	typ     string // anthropic error type, openai error type/code, google status
	message string
}

// errorDefaults holds, per kind, the status and message each provider really
// sends; the context-overflow texts are the ones pi's overflow detection
// recognises.
func errorDefaults(kind, api string) errorDefault {
	switch api {
	case ai.APIAnthropicMessages:
		switch kind {
		case ErrRateLimit:
			return errorDefault{429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"}
		case ErrOverloaded:
			return errorDefault{529, "overloaded_error", "Overloaded"}
		case ErrServer:
			return errorDefault{500, "api_error", "Internal server error"}
		case ErrContextOverflow:
			return errorDefault{400, "invalid_request_error", "prompt is too long: 213462 tokens > 200000 maximum"}
		case ErrAuth:
			return errorDefault{401, "authentication_error", "invalid x-api-key"}
		}
		return errorDefault{400, "invalid_request_error", ""}
	case ai.APIGoogleGenerativeAI:
		switch kind {
		case ErrRateLimit:
			return errorDefault{429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."}
		case ErrOverloaded:
			return errorDefault{503, "UNAVAILABLE", "The model is overloaded. Please try again later."}
		case ErrServer:
			return errorDefault{500, "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"}
		case ErrContextOverflow:
			return errorDefault{400, "INVALID_ARGUMENT", "The input token count (1196265) exceeds the maximum number of tokens allowed (1048576)."}
		case ErrAuth:
			return errorDefault{400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key."}
		}
		return errorDefault{400, "INVALID_ARGUMENT", ""}
	}
	switch kind {
	case ErrRateLimit:
		return errorDefault{429, "rate_limit_exceeded", "Rate limit reached for requests"}
	case ErrOverloaded:
		return errorDefault{503, "server_error", "The engine is currently overloaded, please try again later"}
	case ErrServer:
		return errorDefault{500, "server_error", "The server had an error while processing your request. Sorry about that!"}
	case ErrContextOverflow:
		if api == ai.APIOpenAIResponses {
			return errorDefault{400, "context_length_exceeded", "Your input exceeds the context window of this model. Please adjust your input and try again."}
		}
		return errorDefault{400, "context_length_exceeded", "This model's maximum context length is 128000 tokens. However, your messages resulted in 213462 tokens. Please reduce the length of the messages."}
	case ErrAuth:
		return errorDefault{401, "invalid_api_key", "Incorrect API key provided: sk-fake. You can find your API key at https://platform.openai.com/account/api-keys."}
	}
	return errorDefault{400, "invalid_request_error", ""}
}

func (e *Error) resolve(api string) errorDefault {
	d := errorDefaults(e.Kind, api)
	if e.Status != 0 {
		d.status = e.Status
	}
	if e.Message != "" {
		d.message = e.Message
	}
	return d
}

// writeHTTPError answers with the error as the provider would.
func writeHTTPError(w http.ResponseWriter, api string, e *Error) {
	d := e.resolve(api)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(d.status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(errorBody(api, d))
}

type anthropicError struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

type googleError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
	} `json:"error"`
}

type openAIError struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    string  `json:"code"`
	} `json:"error"`
}

// errorBody is the JSON error object of each wire format, keys in the
// order the providers write them.
func errorBody(api string, d errorDefault) any {
	switch api {
	case ai.APIAnthropicMessages:
		var e anthropicError
		e.Type = "error"
		e.Error.Type, e.Error.Message = d.typ, d.message
		return e
	case ai.APIGoogleGenerativeAI:
		var e googleError
		e.Error.Code, e.Error.Message, e.Error.Status = d.status, d.message, d.typ
		return e
	}
	var e openAIError
	e.Error.Message, e.Error.Type, e.Error.Code = d.message, openAIErrorType(d), d.typ
	return e
}

func openAIErrorType(d errorDefault) string {
	switch {
	case d.status == 429:
		return "requests"
	case d.status >= 500:
		return "server_error"
	}
	return "invalid_request_error"
}
