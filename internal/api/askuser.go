package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/server"
	"github.com/pi-forge/pi-forge/internal/tools/askuser"
)

// QuestionOption is one choice of a question.
type QuestionOption struct {
	Label       string `json:"label"`
	Description string `json:"description"`
	Preview     string `json:"preview,omitempty" doc:"markdown shown beside the options"`
}

// UserQuestion is one question of a questionnaire.
type UserQuestion struct {
	Question    string           `json:"question"`
	Header      string           `json:"header"`
	Options     []QuestionOption `json:"options"`
	MultiSelect bool             `json:"multiSelect,omitempty"`
}

// QuestionRequest is a questionnaire waiting for an answer.
type QuestionRequest struct {
	RequestID string         `json:"requestId"`
	Questions []UserQuestion `json:"questions"`
}

// PendingQuestions is GET .../ask-user-question/pending, oldest first.
type PendingQuestions struct {
	Pending []QuestionRequest `json:"pending"`
}

func questionRequest(r askuser.Request) QuestionRequest {
	out := QuestionRequest{RequestID: r.RequestID, Questions: make([]UserQuestion, len(r.Questions))}
	for i, q := range r.Questions {
		uq := UserQuestion{Question: q.Question, Header: q.Header, MultiSelect: q.MultiSelect, Options: make([]QuestionOption, len(q.Options))}
		for j, o := range q.Options {
			uq.Options[j] = QuestionOption(o)
		}
		out.Questions[i] = uq
	}
	return out
}

// QuestionAnswer is one answer of POST .../ask-user-question/answer.
type QuestionAnswer struct {
	QuestionIndex int      `json:"questionIndex" minimum:"0"`
	Question      string   `json:"question,omitempty"`
	Kind          string   `json:"kind" enum:"option,custom,chat,multi"`
	Answer        *string  `json:"answer,omitempty" nullable:"true" doc:"the chosen label or typed text; null for chat or an empty multi-select"`
	Selected      []string `json:"selected,omitempty"`
	Notes         string   `json:"notes,omitempty"`
	Preview       string   `json:"preview,omitempty"`
}

// AnswerBody is POST .../ask-user-question/answer.
type AnswerBody struct {
	RequestID string           `json:"requestId" minLength:"1"`
	Cancelled bool             `json:"cancelled,omitempty" doc:"the user closed the questionnaire (Chat about this)"`
	Answers   []QuestionAnswer `json:"answers,omitempty"`
}

var errRequestNotFound = server.Errorf(http.StatusNotFound, "request_not_found", "no pending question with that id in this session")

func registerAskUser(api huma.API, d SessionToolsDeps) {
	const tag = "Questions"
	huma.Register(api, toolOp(http.MethodGet, "/sessions/{id}/ask-user-question/pending", "pendingQuestions", "Questionnaires waiting for an answer", tag),
		func(ctx context.Context, in *sessionID) (*struct{ Body PendingQuestions }, error) {
			s, err := d.live(in.ID)
			if err != nil {
				return nil, err
			}
			out := PendingQuestions{Pending: []QuestionRequest{}}
			if b := d.Tools.Questions(s); b != nil {
				for _, r := range b.Pending() {
					out.Pending = append(out.Pending, questionRequest(r))
				}
			}
			return &struct{ Body PendingQuestions }{Body: out}, nil
		})
	huma.Register(api, server.Status(toolOp(http.MethodPost, "/sessions/{id}/ask-user-question/answer", "answerQuestion",
		"Answer (or cancel) a pending questionnaire; the first answer wins", tag), http.StatusNoContent),
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body AnswerBody
		}) (*struct{}, error) {
			s, err := d.live(in.ID)
			if err != nil {
				return nil, err
			}
			b := d.Tools.Questions(s)
			if b == nil {
				return nil, errRequestNotFound
			}
			req, ok := b.Lookup(in.Body.RequestID)
			if !ok {
				return nil, errRequestNotFound
			}
			resp := askuser.Response{Cancelled: in.Body.Cancelled, Answers: make([]askuser.Answer, 0, len(in.Body.Answers))}
			for _, a := range in.Body.Answers {
				if a.QuestionIndex >= len(req.Questions) {
					return nil, server.Errorf(http.StatusBadRequest, "invalid_body", "answers: questionIndex %d is out of range (%d questions)", a.QuestionIndex, len(req.Questions))
				}
				q := a.Question
				if q == "" {
					q = req.Questions[a.QuestionIndex].Question
				}
				resp.Answers = append(resp.Answers, askuser.Answer{QuestionIndex: a.QuestionIndex, Question: q, Kind: a.Kind,
					Answer: a.Answer, Selected: a.Selected, Notes: a.Notes, Preview: a.Preview})
			}
			if err := b.Answer(in.Body.RequestID, resp); errors.Is(err, askuser.ErrNotFound) {
				return nil, errRequestNotFound // another tab answered first
			}
			return nil, nil
		})
}
