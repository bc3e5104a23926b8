import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { api, useGetSessionQuery } from '../api/api';
import { moderates, runsStage, type Question, type SessionRole, type UserRef } from '../api/types';
import { useConfirm } from '../components/Dialog';
import { AuthorAvatar, AuthorName } from '../components/Author';
import { AnonymousChoice, QuestionList, useAskAnonymously } from '../components/QuestionList';
import { ChatSendButton, isRateLimited, SlowModeControl, SlowModeNotice, useChatWait, useSendChat } from '../components/SlowMode';
import { RoleTag, TeamRoleDialog } from '../components/Team';
import { useNotify } from '../components/Toasts';
import { Avatar } from '../components/ui';
import { problemMessage } from '../errors';
import { useAppDispatch, useAppSelector, useTitle } from '../hooks';
import {
  live, roleIn, roleInTeam, selectAnswered, selectCanModerate, selectCurrent, selectHandRaised, selectMuted, selectOnAir, selectQueue, selectRole,
} from '../live/liveSlice';
import type { Command } from '../live/protocol';
import { useLiveRoom } from '../live/useLiveRoom';

type Send = (c: Command) => Promise<unknown>;

/** Sends a command whose refusal is told in a notification. */
function useAct(send: Send) {
  const notify = useNotify();
  return useCallback((c: Command) => void send(c).catch((e) => notify.error(e, 'live')), [send, notify]);
}

export function SoundWave({ active }: { active: boolean }) {
  return (
    <span className={`wave${active ? ' wave-on' : ''}`} aria-hidden="true">
      <i /><i /><i /><i />
    </span>
  );
}

/** The seconds left of a guest's mic time limit, counted on the server's clock; null without a limit. */
function useSecondsLeft(username: string): number | null {
  const until = useAppSelector((s) => s.live.onAir.until?.[username]);
  const offset = useAppSelector((s) => s.live.clockOffset);
  const [secs, setSecs] = useState<number | null>(null);
  useEffect(() => {
    const left = () => (until ? Math.max(0, Math.ceil((Date.parse(until) - (Date.now() + offset)) / 1000)) : null);
    setSecs(left());
    if (!until) return undefined;
    const timer = window.setInterval(() => setSecs(left()), 250);
    return () => window.clearInterval(timer);
  }, [until, offset]);
  return until ? secs : null;
}

/** A guest's mic countdown (m:ss), urgent in its last 15 seconds. */
export function MicCountdown({ username }: { username: string }) {
  const { t } = useTranslation();
  const secs = useSecondsLeft(username);
  if (secs === null) return null;
  const time = `${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, '0')}`;
  return (
    <span className={`tag tag-timer${secs <= 15 ? ' tag-urgent' : ''}`} role="timer" aria-label={t('live.timeLeft', { time })}>
      ⏱ {time}
    </span>
  );
}

/** The time limit the host puts on the mics they give (seconds; 0 = none), remembered in this browser. */
const MIC_LIMITS = [0, 60, 120, 180, 300];
function useMicLimit(): [number, (n: number) => void] {
  const [limit, setLimit] = useState(() => {
    const n = Number(localStorage.getItem('ask2live.micLimit'));
    return MIC_LIMITS.includes(n) ? n : 0;
  });
  const set = useCallback((n: number) => {
    setLimit(n);
    localStorage.setItem('ask2live.micLimit', String(n));
  }, []);
  return [limit, set];
}

export function Stage({ onResumeSound }: { onResumeSound: () => void }) {
  const { t } = useTranslation();
  const st = useAppSelector((s) => s.live);
  const noVoice = st.mic.error === 'voice_unavailable';
  const people = new Map<string, UserRef>();
  if (st.session) people.set(st.session.host.username, st.session.host);
  for (const p of st.participants ?? []) people.set(p.username, p);
  // An anonymous question comes to the audience without its author: no one to name.
  for (const q of Object.values(st.questions)) if (q.author.username) people.set(q.author.username, q.author);
  for (const p of st.onAir.people ?? []) people.set(p.username, p);
  return (
    <div className="stage-wrap">
      <ul className="stage" aria-label={t('live.onAir')}>
        {st.onAir.speakers.map((u) => {
          const p = people.get(u) ?? { username: u, display_name: u };
          const speaking = !!st.speaking[u];
          const muted = st.onAir.muted.includes(u);
          return (
            <li key={u} className={`speaker${speaking ? ' speaking' : ''}`}>
              <div className="speaker-avatar"><Avatar user={p} size={64} /></div>
              <div className="speaker-name">
                {p.display_name}
                <RoleTag role={roleIn(st, u)} />
              </div>
              <MicCountdown username={u} />
              <div className="speaker-state">
                {muted ? <span aria-label={t('live.mute')}>🔇</span> : <SoundWave active={speaking} />}
                {speaking && <span className="sr-only">{t('live.speaking')}</span>}
              </div>
            </li>
          );
        })}
      </ul>
      {noVoice && <p className="muted small stage-note">{t('live.voiceUnavailable')}</p>}
      {st.soundBlocked && !noVoice && (
        <p className="stage-note">
          <button type="button" className="btn btn-live btn-sm" onClick={onResumeSound}>🔈 {t('live.enableSound')}</button>
        </p>
      )}
    </div>
  );
}

export function CurrentQuestion({ send, role, micLimit }: { send: Send; role: SessionRole; micLimit: number }) {
  const { t } = useTranslation();
  const act = useAct(send);
  const cur = useAppSelector((s) => selectCurrent(s.live));
  const queue = useAppSelector((s) => selectQueue(s.live));
  const answered = useAppSelector((s) => selectAnswered(s.live));
  const onAir = useAppSelector((s) => s.live.onAir.speakers);
  const me = useAppSelector((s) => s.live.you?.username);
  if (!cur) {
    // Nothing is being answered: say whether questions wait, and let the host (or the team) take the next one.
    const next = queue[0];
    let say = t('live.noCurrent');
    if (next) say = moderates(role) ? t('live.pickNext') : t('live.nextSoon');
    else if (answered.length) say = t('live.allAnswered');
    return (
      <section className="card current current-empty" aria-labelledby="cur-title">
        <h2 id="cur-title" className="h3">{t('live.current')}</h2>
        <p className="muted">{say}</p>
        {moderates(role) && next && (
          <button type="button" className="btn btn-primary btn-sm" onClick={() => act({ type: 'set_question_state', question_id: next.id, state: 'answering' })}>
            {t('live.answerNext')}
          </button>
        )}
      </section>
    );
  }
  // Voice questions are never anonymous, so their author is always named.
  const voiceOf = cur.kind === 'voice' ? cur.author.username : '';
  const authorOnAir = !!voiceOf && onAir.includes(voiceOf);
  return (
    <section className={`card current${cur.kind === 'voice' ? ' current-voice' : ''}`} aria-labelledby="cur-title">
      <h2 id="cur-title" className="h3">{t('live.current')}</h2>
      <div className="row wrap">
        <AuthorAvatar q={cur} me={me} size={40} />
        <AuthorName q={cur} me={me} phrase="question" className="current-author" />
        {cur.kind === 'voice' && <span className="tag tag-voice">{t('q.voice')}</span>}
      </div>
      <p className="current-text">{cur.text || t('live.voiceQuestion')}</p>
      {moderates(role) && (
        <div className="row wrap">
          {runsStage(role) && voiceOf && !authorOnAir && (
            <button type="button" className="btn btn-live btn-sm" onClick={() => act({ type: 'grant_mic', username: voiceOf, seconds: micLimit })}>🎙 {t('live.grant')}</button>
          )}
          {runsStage(role) && voiceOf && authorOnAir && (
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => act({ type: 'revoke_mic', username: voiceOf })}>{t('live.revoke')}</button>
          )}
          <button type="button" className="btn btn-primary btn-sm" onClick={() => act({ type: 'set_question_state', question_id: cur.id, state: 'answered' })}>✓ {t('live.markAnswered')}</button>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => act({ type: 'set_question_state', question_id: cur.id, state: 'dismissed' })}>{t('live.dismiss')}</button>
        </div>
      )}
    </section>
  );
}

function Questions({ send, canModerate, me }: { send: Send; canModerate: boolean; me: string }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const queue = useAppSelector((s) => selectQueue(s.live));
  const answered = useAppSelector((s) => selectAnswered(s.live));
  const confirm = useConfirm();
  const [tab, setTab] = useState<'queue' | 'answered'>('queue');
  const notify = useNotify();
  const vote = async (q: Question, voted: boolean) => {
    try {
      await send({ type: voted ? 'vote' : 'unvote', question_id: q.id });
      dispatch(live.voteAcked({ questionId: q.id, voted }));
    } catch (e) {
      notify.error(e, 'question');
    }
  };
  const act = useAct(send);
  return (
    <section className="card" aria-label={t('live.queue')}>
      <div className="tabs" role="tablist">
        <button role="tab" type="button" aria-selected={tab === 'queue'} aria-controls="tab-queue" id="tabbtn-queue" onClick={() => setTab('queue')}>
          {t('live.queue')} ({queue.length})
        </button>
        <button role="tab" type="button" aria-selected={tab === 'answered'} aria-controls="tab-answered" id="tabbtn-answered" onClick={() => setTab('answered')}>
          {t('live.answered')} ({answered.length})
        </button>
      </div>
      <div role="tabpanel" id="tab-queue" aria-labelledby="tabbtn-queue" hidden={tab !== 'queue'}>
        <QuestionList questions={queue} me={me} onVote={vote}
          onEdit={(q, text) => send({ type: 'edit_question', question_id: q.id, text })}
          onDelete={(q) => act({ type: 'delete_question', question_id: q.id })}
          actions={canModerate ? (q) => (
            <>
              <button type="button" className="btn btn-primary btn-sm" onClick={() => act({ type: 'set_question_state', question_id: q.id, state: 'answering' })}>{t('live.pick')}</button>
              <button type="button" className="btn btn-ghost btn-sm" aria-pressed={!!q.pinned_at} onClick={() => act({ type: q.pinned_at ? 'unpin' : 'pin', question_id: q.id })}>
                {q.pinned_at ? t('q.unpin') : `📌 ${t('q.pin')}`}
              </button>
              <button type="button" className="btn btn-ghost btn-sm" onClick={async () => {
                if (await confirm({ title: t('q.confirmDelete'), body: q.text || t('live.voiceQuestion'), confirm: t('q.delete'), danger: true })) {
                  act({ type: 'delete_question', question_id: q.id });
                }
              }}>{t('q.delete')}</button>
            </>
          ) : undefined} />
      </div>
      <div role="tabpanel" id="tab-answered" aria-labelledby="tabbtn-answered" hidden={tab !== 'answered'}>
        <QuestionList questions={answered} ordered me={me} canVote={false} empty={t('live.noAnswered')} />
      </div>
    </section>
  );
}

function Chat({ send, canModerate }: { send: Send; canModerate: boolean }) {
  const { t } = useTranslation();
  const chat = useAppSelector((s) => s.live.chat);
  const team = useAppSelector((s) => s.live.team);
  const host = useAppSelector((s) => s.live.session?.host.username);
  const act = useAct(send);
  const sendChat = useSendChat(send);
  const wait = useChatWait();
  const [text, setText] = useState('');
  const [err, setErr] = useState<unknown>(null);
  // Follow new messages inside the list only (scrolling them into view
  // would scroll the whole page on a phone), and only while the reader is
  // at the bottom rather than reading back.
  const list = useRef<HTMLUListElement>(null);
  const following = useRef(true);
  useEffect(() => {
    const el = list.current;
    if (el && following.current) el.scrollTop = el.scrollHeight;
  }, [chat.length]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const v = text.trim();
    if (!v || wait.seconds > 0) return;
    setErr(null);
    try {
      await sendChat(v);
      setText('');
    } catch (x) {
      setErr(x);
    }
  }
  const last = chat[chat.length - 1];
  // Slow mode refused the message (it stays in the box): say so while the
  // countdown runs; once it is over the message may simply be sent.
  let errText: string | null = null;
  if (err && isRateLimited(err) && wait.applies) errText = wait.seconds > 0 ? t('slow.refused') : null;
  else if (err) errText = problemMessage(t, err, 'live');
  return (
    <section className="card chat" aria-labelledby="chat-title">
      <div className="row between wrap chat-head">
        <h2 id="chat-title" className="h3">{t('live.chat')}</h2>
        {canModerate && <SlowModeControl send={send} />}
      </div>
      <SlowModeNotice team={canModerate} />
      <ul className="chat-list" ref={list} onScroll={(e) => {
        const el = e.currentTarget;
        following.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}>
        {chat.map((m) => (
          <li key={m.id}>
            <strong>{m.sender.display_name}</strong> <RoleTag role={roleInTeam(team, host, m.sender.username)} /> <span>{m.text}</span>
            {canModerate && <button type="button" className="link-btn" aria-label={t('q.delete')}
              onClick={() => act({ type: 'delete_chat', message_id: m.id })}>×</button>}
          </li>
        ))}
      </ul>
      <p className="sr-only" aria-live="polite">{last ? t('live.newChat', { name: last.sender.display_name, text: last.text }) : ''}</p>
      <form className="row" onSubmit={submit}>
        <label htmlFor="chat-input" className="sr-only">{t('live.chatPlaceholder')}</label>
        <input id="chat-input" className="grow" value={text} maxLength={500} placeholder={t('live.chatPlaceholder')} onChange={(e) => setText(e.target.value)} />
        <ChatSendButton wait={wait.seconds} disabled={!text.trim()} />
      </form>
      {errText && <p className="field-error" role="alert">{errText}</p>}
    </section>
  );
}

export function GuestControls({ send, allowAnonymous }: { send: Send; allowAnonymous: boolean }) {
  const { t } = useTranslation();
  const onAir = useAppSelector((s) => selectOnAir(s.live));
  const muted = useAppSelector((s) => selectMuted(s.live));
  const handUp = useAppSelector((s) => selectHandRaised(s.live));
  const micError = useAppSelector((s) => s.live.mic.error);
  const me = useAppSelector((s) => s.live.you?.username ?? '');
  const timeUpAt = useAppSelector((s) => s.live.timeUpAt);
  const notify = useNotify();
  useEffect(() => {
    if (timeUpAt) notify.failure('live.timeUp');
  }, [timeUpAt, notify]);
  const [text, setText] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const [anonymous, setAnonymous] = useAskAnonymously();
  const ask = async (kind: 'text' | 'voice') => {
    setErr(null);
    try {
      // A raised hand is never anonymous: the asker speaks on air.
      const cmd: Command = kind === 'text' ? { type: 'ask', kind, text: text.trim() } : { type: 'ask', kind, text: '' };
      if (kind === 'text' && allowAnonymous && anonymous) cmd.anonymous = true;
      await send(cmd);
      if (kind === 'text') setText('');
      // A raised hand shows itself in place of the button.
      if (kind === 'text') notify.success('q.posted');
    } catch (x) {
      setErr(x);
    }
  };
  const act = useAct(send);
  return (
    <section className="card guest-controls" aria-label={t('q.ask')}>
      {onAir ? (
        <div className="on-air-banner" role="status">
          <p><span className="dot" aria-hidden="true" /> {t('live.youOnAir')} <MicCountdown username={me} /></p>
          {micError === 'mic_denied' && <p className="field-error">{t('live.micDenied')}</p>}
          <div className="row wrap">
            <button type="button" className="btn btn-ghost btn-sm" aria-pressed={muted} onClick={() => act({ type: 'mute', muted: !muted })}>
              {muted ? `🔈 ${t('live.unmute')}` : `🔇 ${t('live.mute')}`}
            </button>
            <button type="button" className="btn btn-danger-solid btn-sm" onClick={() => act({ type: 'give_back_mic' })}>{t('live.giveBack')}</button>
          </div>
        </div>
      ) : handUp ? (
        <p className="muted" role="status">✋ {t('live.handRaised')}</p>
      ) : (
        <button type="button" className="btn btn-live btn-block" onClick={() => void ask('voice')}>✋ {t('live.raiseHand')}</button>
      )}
      <form onSubmit={(e) => { e.preventDefault(); if (text.trim()) void ask('text'); }}>
        <label htmlFor="live-ask">{t('q.text')}</label>
        <div className="row">
          <input id="live-ask" className="grow" value={text} maxLength={500} placeholder={t('q.placeholder')} onChange={(e) => setText(e.target.value)} />
          <button className="btn btn-primary btn-sm" type="submit" disabled={!text.trim()}>{t('q.submit')}</button>
        </div>
        {allowAnonymous && <AnonymousChoice checked={anonymous} onChange={setAnonymous} />}
      </form>
      {!!err && <p className="field-error" role="alert">{problemMessage(t, err, 'question')}</p>}
    </section>
  );
}

/** Where each role stands in the participant list: the host first, then co-hosts, moderators and everyone else. */
const RANK: Record<NonNullable<SessionRole>, number> = { host: 0, cohost: 1, moderator: 2 };
const rank = (r: SessionRole) => (r ? RANK[r] : 3);

/**
 * The room's people, for those who run it: the host and the team see who is
 * here and what each is; co-hosts (and the host) also hand out the mic,
 * remove people, let them back and end the session; the host alone
 * appoints the team.
 */
function PeoplePanel({ send, role, micLimit, setMicLimit }: { send: Send; role: SessionRole; micLimit: number; setMicLimit: (n: number) => void }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const st = useAppSelector((s) => s.live);
  const me = st.you?.username;
  const mutedMe = useAppSelector((s) => selectMuted(s.live));
  const act = useAct(send);
  const confirm = useConfirm();
  const notify = useNotify();
  const [appointing, setAppointing] = useState<UserRef | null>(null);
  const isHost = role === 'host';
  const stage = runsStage(role);
  const people = [...(st.participants ?? [])].sort((a, b) => rank(roleIn(st, a.username)) - rank(roleIn(st, b.username)));
  useEffect(() => {
    if (st.status === 'open' && st.participants === null) {
      send({ type: 'participants' }).then((r) => {
        const list = Array.isArray(r) ? r : (r as { participants?: UserRef[] })?.participants;
        if (list) dispatch(live.participantsLoaded(list));
      }).catch(() => undefined);
    }
  }, [st.status, st.participants, send, dispatch]);
  return (
    <section className="card host-panel" aria-labelledby="ppl-title">
      <div className="row between">
        <h2 id="ppl-title" className="h3">{t('live.participants')} ({st.participantCount})</h2>
        {isHost && (
          <button type="button" className="btn btn-ghost btn-sm" aria-pressed={mutedMe} onClick={() => act({ type: 'mute', muted: !mutedMe })}>
            {mutedMe ? `🔈 ${t('live.unmute')}` : `🔇 ${t('live.mute')}`}
          </button>
        )}
      </div>
      {stage && (
        <div className="row wrap mic-limit">
          <label htmlFor="mic-limit">{t('live.micLimit')}</label>
          <select id="mic-limit" value={micLimit} aria-describedby="mic-limit-help" onChange={(e) => setMicLimit(Number(e.target.value))}>
            {MIC_LIMITS.map((n) => <option key={n} value={n}>{n ? t('live.minutes', { count: n / 60 }) : t('live.noLimit')}</option>)}
          </select>
          <span id="mic-limit-help" className="sr-only">{t('live.micLimitHelp')}</span>
        </div>
      )}
      <ul className="people">
        {people.map((p) => {
          const theirs = roleIn(st, p.username);
          const onAir = st.onAir.speakers.includes(p.username);
          const muted = st.onAir.muted.includes(p.username);
          const name = (
            <Link to={`/u/${p.username}`} target="_blank" className="row grow"><Avatar user={p} size={28} /> {p.display_name}</Link>
          );
          if (theirs === 'host') {
            // The host is counted and listed too, without buttons to use on them.
            return (
              <li key={p.username} className="person">
                {name}
                <RoleTag role="host" />
                <SoundWave active={!!st.speaking[p.username]} />
              </li>
            );
          }
          // Only the host removes someone on the team; no one removes themselves.
          const removable = stage && p.username !== me && (isHost || !theirs);
          const appointable = isHost && p.username !== me;
          return (
            <li key={p.username} className="person">
              {name}
              <RoleTag role={theirs} />
              {onAir && <SoundWave active={!!st.speaking[p.username]} />}
              {onAir && <MicCountdown username={p.username} />}
              {(stage || appointable) && (
                <div className="row">
                  {stage && (onAir ? (
                    <>
                      {st.onAir.until?.[p.username] && (
                        <button type="button" className="btn btn-ghost btn-sm" onClick={() => act({ type: 'extend_mic', username: p.username, seconds: 60 })}>{t('live.addMinute')}</button>
                      )}
                      <button type="button" className="btn btn-ghost btn-sm" onClick={() => act({ type: 'mute', muted: !muted, username: p.username })}>{muted ? t('live.unmute') : t('live.mute')}</button>
                      <button type="button" className="btn btn-ghost btn-sm" onClick={() => act({ type: 'revoke_mic', username: p.username })}>{t('live.revoke')}</button>
                    </>
                  ) : (
                    <button type="button" className="btn btn-ghost btn-sm" onClick={() => act({ type: 'grant_mic', username: p.username, seconds: micLimit })}>{t('live.grant')}</button>
                  ))}
                  {appointable && (
                    <button type="button" className="btn btn-ghost btn-sm" aria-haspopup="dialog"
                      aria-label={t('team.manageOf', { name: p.display_name })} onClick={() => setAppointing(p)}>
                      {t('team.manage')}
                    </button>
                  )}
                  {removable && (
                    <button type="button" className="btn btn-ghost btn-sm btn-danger" onClick={async () => {
                      const ok = await confirm({ title: t('live.confirmRemove', { name: p.display_name }), body: t('live.confirmRemoveBody'), confirm: t('live.remove'), danger: true });
                      if (ok) act({ type: 'remove', username: p.username });
                    }}>{t('live.remove')}</button>
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {stage && st.removed.length > 0 && (
        <section className="removed" aria-labelledby="removed-title">
          <h3 id="removed-title" className="small-title">{t('live.removedList')} ({st.removed.length})</h3>
          <ul className="people">
            {st.removed.map((p) => (
              <li key={p.username} className="person">
                <span className="row grow"><Avatar user={p} size={28} /> {p.display_name}</span>
                <button type="button" className="btn btn-ghost btn-sm" onClick={async () => {
                  try {
                    await send({ type: 'readmit', username: p.username });
                    notify.success('live.readmitted', { name: p.display_name });
                  } catch (e) {
                    notify.error(e, 'live');
                  }
                }}>{t('live.readmit')}</button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {stage && (
        <button type="button" className="btn btn-danger-solid btn-block" onClick={async () => {
          if (!await confirm({ title: t('live.confirmEnd'), body: t('live.confirmEndBody'), confirm: t('live.endSession'), danger: true })) return;
          try {
            await send({ type: 'end' });
          } catch (e) {
            notify.error(e, 'live');
            return;
          }
          if (st.session) navigate(`/sessions/${st.session.id}/archive`);
        }}>{t('live.endSession')}</button>
      )}
      {appointing && st.session && (
        <TeamRoleDialog sessionId={st.session.id} person={appointing} onClose={() => setAppointing(null)}
          role={st.team.find((m) => m.user.username === appointing.username)?.role ?? null} />
      )}
    </section>
  );
}

export function LiveRoomPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { send, resumeSound } = useLiveRoom(id);
  const dispatch = useAppDispatch();
  const st = useAppSelector((s) => s.live);
  const role = useAppSelector((s) => selectRole(s.live));
  const canModerate = useAppSelector((s) => selectCanModerate(s.live));
  // The room's snapshot does not say whether anonymous questions are allowed; the session does.
  const allowAnonymous = !!useGetSessionQuery(id).data?.allow_anonymous;
  const notify = useNotify();
  const [micLimit, setMicLimit] = useMicLimit();
  // Tell people when the host changes their role (their controls change with it).
  const roleChanges = useAppSelector((s) => s.live.roleChanges);
  const toldChanges = useRef(roleChanges);
  useEffect(() => {
    if (roleChanges > toldChanges.current) {
      notify.success(role === 'cohost' ? 'team.nowCohost' : role === 'moderator' ? 'team.nowModerator' : 'team.offTeam');
    }
    toldChanges.current = roleChanges;
  }, [roleChanges, role, notify]);
  useTitle(st.session ? `LIVE · ${st.session.title}` : undefined);
  const newest = useAppSelector((s) => {
    const qs = Object.values(s.live.questions);
    return qs.reduce<Question | null>((a, q) => (!a || q.created_at > a.created_at ? q : a), null);
  });

  // The server closed the socket because the credentials are gone (the
  // account was suspended): ask /me, and the page sends them to log in.
  useEffect(() => {
    if (st.closeReason === 'signed_out') dispatch(api.util.invalidateTags(['Me']));
  }, [st.closeReason, dispatch]);

  if (st.closeReason && st.status !== 'open') {
    const msg = { removed: t('live.removed'), signed_out: t('errors.loginRequired'), ended: t('live.ended'), not_found: t('live.notFound'), not_live: t('live.notLive'), too_many_tabs: t('live.tooManyTabs'), protocol: t('live.protocolError') }[st.closeReason];
    return (
      <div className="page narrow">
        <section className="card error-page" aria-labelledby="closed-title">
          <div className="error-mark" aria-hidden="true">{st.closeReason === 'ended' ? '✓' : '!'}</div>
          <div role="alert">
            <h1 id="closed-title" className="h2">{msg}</h1>
            {st.closeReason === 'removed' && <p className="muted">{t('live.removedMore')}</p>}
          </div>
          <div className="row wrap center">
            {st.closeReason === 'ended' && <Link className="btn btn-primary" to={`/sessions/${id}/archive`}>{t('live.goArchive')}</Link>}
            {st.closeReason === 'not_live' && <Link className="btn btn-primary" to={`/sessions/${id}`}>{t('common.back')}</Link>}
            <Link className={`btn ${st.closeReason === 'ended' || st.closeReason === 'not_live' ? 'btn-ghost' : 'btn-primary'}`} to="/">{t('live.goHome')}</Link>
          </div>
        </section>
      </div>
    );
  }
  if (!st.session) return <p className="page muted" role="status">{t('live.connecting')}</p>;
  const me = st.you?.username ?? '';
  return (
    <div className="page live-room">
      <header className="live-head">
        <div className="grow">
          <div className="row wrap">
            <span className="badge badge-live"><span className="dot" aria-hidden="true" />{t('live.live')}</span>
            <span className="muted">👥 {t('live.count', { count: st.participantCount })}</span>
            {st.status === 'reconnecting' && <span className="muted" role="status">{t('live.reconnecting')}</span>}
          </div>
          <h1 className="h2">{st.session.title}</h1>
        </div>
        <div className="row">
          <button type="button" className="btn btn-ghost btn-sm" onClick={async () => {
            try {
              await navigator.clipboard.writeText(window.location.href);
              notify.success('live.copied');
            } catch {
              notify.failure('live.copyFailed');
            }
          }}>🔗 {t('live.share')}</button>
          <Link className="btn btn-ghost btn-sm" to={`/sessions/${id}`}>{t('live.leave')}</Link>
        </div>
      </header>
      {st.lastError && (
        <p className="alert alert-error" role="alert">{problemMessage(t, st.lastError, 'live')} <button type="button" className="link-btn" onClick={() => dispatch(live.errorShown(null))}>{t('common.close')}</button></p>
      )}
      <p className="sr-only" aria-live="polite">{newest ? t('live.newQuestion', { text: newest.text || t('live.voiceQuestion') }) : ''}</p>
      <div className="live-grid">
        <div className="live-main">
          <Stage onResumeSound={resumeSound} />
          <CurrentQuestion send={send} role={role} micLimit={micLimit} />
          {role !== 'host' && <GuestControls send={send} allowAnonymous={allowAnonymous} />}
          <Questions send={send} canModerate={canModerate} me={me} />
        </div>
        <div className="live-side">
          {canModerate && <PeoplePanel send={send} role={role} micLimit={micLimit} setMicLimit={setMicLimit} />}
          <Chat send={send} canModerate={canModerate} />
        </div>
      </div>
    </div>
  );
}
