package ask2live

import "encoding/json"

// The most-read responses are built from the read cache's shared public
// views. Their JSON is made once, when they enter the cache, in both forms a
// viewer can see (wished or not, voted or not); a response then copies bytes
// instead of encoding every field again. AppendJSON writes exactly what
// encoding/json writes for the same value.

// publicJSON is the encoding of a cached public view, as seen by a viewer
// who did not (plain) and who did (mine) wish the session or vote for the
// question.
type publicJSON struct {
	plain, mine []byte
}

// encodePublic makes the two encodings of a public view. set marks the copy
// as wished or voted.
func encodePublic[T any](v *T, set func(*T)) *publicJSON {
	mine := *v
	set(&mine)
	p, err1 := json.Marshal(v)
	m, err2 := json.Marshal(&mine)
	if err1 != nil || err2 != nil {
		return nil
	}
	return &publicJSON{plain: p, mine: m}
}

func (s *Session) encodePublic() {
	s.enc = nil
	s.enc = encodePublic(s, func(c *Session) { c.WishedByMe = true })
}

func (q *Question) encodePublic() {
	q.enc = nil
	q.enc = encodePublic(q, func(c *Question) { c.VotedByMe = true })
}

// AppendJSON appends s encoded as encoding/json would.
func (s *Session) AppendJSON(b []byte) []byte {
	// The cached encodings carry participant_count 0; live sessions with
	// people in the room are encoded afresh.
	if s.enc != nil && s.ParticipantCount == 0 {
		if s.WishedByMe {
			return append(b, s.enc.mine...)
		}
		return append(b, s.enc.plain...)
	}
	return appendMarshal(b, s)
}

// AppendJSON appends q encoded as encoding/json would.
func (q *Question) AppendJSON(b []byte) []byte {
	if q.enc != nil {
		if q.VotedByMe {
			return append(b, q.enc.mine...)
		}
		return append(b, q.enc.plain...)
	}
	return appendMarshal(b, q)
}

// AppendJSON appends f encoded as encoding/json would.
func (f *Feed) AppendJSON(b []byte) []byte {
	b = append(b, `{"wished_live":`...)
	b = AppendJSONList(b, f.WishedLive)
	b = append(b, `,"live":`...)
	b = AppendJSONList(b, f.Live)
	b = append(b, `,"upcoming":`...)
	b = AppendJSONList(b, f.Upcoming)
	b = append(b, `,"recruiting":`...)
	b = AppendJSONList(b, f.Recruiting)
	return append(b, '}')
}

// AppendJSON appends p encoded as encoding/json would.
func (p *QuestionPage) AppendJSON(b []byte) []byte {
	b = append(b, `{"items":`...)
	b = AppendJSONList(b, p.Items)
	b = append(b, `,"next_cursor":`...)
	b = appendMarshal(b, p.NextCursor)
	return append(b, '}')
}

// AppendJSONList appends a list of sessions or questions as encoding/json
// would (nil is null).
func AppendJSONList[T interface{ AppendJSON([]byte) []byte }](b []byte, list []T) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, v := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = v.AppendJSON(b)
	}
	return append(b, ']')
}

func appendMarshal(b []byte, v any) []byte {
	j, err := json.Marshal(v)
	if err != nil {
		// The domain types always encode; keep the output valid JSON.
		return append(b, "null"...)
	}
	return append(b, j...)
}
