import { describe, expect, it } from 'vitest';
import i18n from './i18n';
import { fieldMessages, problemMessage } from './errors';
import { CommandFailed } from './live/socket';

const t = i18n.getFixedT('ko');
const en = i18n.getFixedT('en');

describe('server errors in the reader language', () => {
  it('never shows the server English detail', () => {
    const cases: [unknown, Parameters<typeof problemMessage>[2], string][] = [
      [{ status: 401, code: 'unauthenticated', detail: 'wrong username or password' }, 'login', '아이디 또는 패스워드가 맞지 않습니다.'],
      [{ status: 409, code: 'conflict', detail: 'username is taken' }, 'register', '이미 사용 중인 아이디입니다.'],
      [{ status: 404, code: 'not_found', detail: 'session not found' }, 'session', '세션을 찾을 수 없습니다.'],
      [{ status: 404, code: 'not_found', detail: 'user not found' }, 'user', '사용자를 찾을 수 없습니다.'],
      [{ status: 409, code: 'wrong_state', detail: 'the session is ended; it takes no more questions' }, 'question', '이 세션은 더 이상 질문을 받지 않습니다.'],
      [{ status: 413, code: 'too_large', detail: 'the image must be at most 5 MB' }, 'avatar', '5MB 이하의 사진만 올릴 수 있습니다.'],
      [{ status: 403, code: 'forbidden', detail: 'only the host can do this' }, undefined, '이 작업을 할 권한이 없습니다.'],
      [{ status: 403, code: 'forbidden', detail: 'this account is suspended' }, 'login', '이용이 정지된 계정입니다. 운영자에게 문의해 주세요.'],
      [{ status: 403, code: 'forbidden', detail: 'cross-site request' }, 'login', '이 작업을 할 권한이 없습니다.'],
      [{ status: 404, code: 'not_found', detail: 'no such user' }, 'team', '그 아이디를 쓰는 사람이 없습니다.'],
      [{ status: 409, code: 'wrong_state', detail: 'this session does not take anonymous questions' }, 'question', '이 세션은 익명 질문을 받지 않습니다.'],
      [new CommandFailed('wrong_state', 'this session does not take anonymous questions'), 'question', '이 세션은 익명 질문을 받지 않습니다.'],
      [{ status: 409, code: 'wrong_state', detail: 'a team has at most 20 members' }, 'team', '팀은 최대 20명까지예요.'],
      [{ status: 409, code: 'wrong_state', detail: 'the session is ended' }, 'team', '끝난 세션의 팀은 바꿀 수 없습니다.'],
      [{ status: 400, code: 'invalid_input', detail: 'the host is not a member of their own team' }, 'team', '호스트는 이미 모든 일을 할 수 있어서 팀에 넣지 않아요.'],
      [{ status: 0, code: 'unavailable' }, undefined, '서버에 연결할 수 없습니다.'],
      [{ status: 500, code: 'internal', detail: 'boom' }, undefined, '문제가 생겼습니다.'],
      [new Error('socket closed'), undefined, '문제가 생겼습니다.'],
    ];
    for (const [err, context, want] of cases) expect(problemMessage(t, err, context)).toBe(want);
  });

  it('translates field errors', () => {
    const err = { status: 422, code: 'invalid_input', errors: [
      { field: 'username', message: 'is taken' }, { field: 'starts_at', message: 'must be in the future' },
      { field: 'text', message: 'must be at most 500 characters' }, { field: 'bio', message: 'something new' },
    ] };
    expect(fieldMessages(en, err)).toEqual({
      username: 'That username is taken.', starts_at: 'The start time must be in the future.',
      text: 'At most 500 characters.', bio: 'Check this value.',
    });
    expect(problemMessage(t, err)).toBe('이미 사용 중인 아이디입니다.');
  });
});
