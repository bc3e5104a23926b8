import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Session, TeamMember } from '../api/types';
import { json, problem, renderWithStore, stubFetch } from '../test/render';
import { TeamSection } from './Team';

afterEach(() => {
  vi.unstubAllGlobals();
});

function session(over: Partial<Session> = {}): Session {
  return {
    id: 's1', title: 'T', description: '', state: 'scheduled', starts_at: '2030-01-01T00:00:00Z', started_at: null, ended_at: null,
    target_guests: 0, wish_count: 0, wished_by_me: false, question_count: 0, participant_count: 0,
    host: { username: 'host', display_name: '김호스트' }, ...over,
  };
}

const member = (username: string, display_name: string, role: TeamMember['role']): TeamMember => ({
  user: { username, display_name, avatar_url: '' }, role, added_at: '2026-11-25T03:00:00Z',
});

/** A server holding a session's team: GET lists it, PUT and DELETE change it (or answer with fail). */
function teamServer(start: TeamMember[], fail?: () => Response) {
  let team = [...start];
  const names: Record<string, string> = { kim: '김모더', lee: 'Lee', park: '박' };
  const stub = stubFetch(async (req) => {
    const path = new URL(req.url).pathname;
    if (req.method === 'GET') return json({ team });
    if (fail) return fail();
    const username = decodeURIComponent(path.split('/').pop()!);
    team = team.filter((m) => m.user.username !== username);
    if (req.method === 'PUT') {
      const { role } = await req.json();
      team.push(member(username, names[username] ?? username, role));
    }
    // An emptied team comes without its list.
    return json(team.length ? { team } : {});
  });
  vi.stubGlobal('fetch', stub.fn);
  return stub;
}

const writes = (calls: Request[]) => calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${new URL(c.url).pathname}`);

describe('team on the session page', () => {
  it('shows the team to everyone, with their roles, and nothing to change', async () => {
    teamServer([member('kim', '김모더', 'moderator'), member('lee', 'Lee', 'cohost')]);
    renderWithStore(<TeamSection session={session()} isHost={false} />);
    const section = await screen.findByRole('region', { name: 'Team' });
    const items = await within(section).findAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent(/김모더\s*@kim\s*Moderator$/);
    expect(items[1]).toHaveTextContent(/Lee\s*@lee\s*Co-host$/);
    expect(within(items[0]).getByRole('link')).toHaveAttribute('href', '/u/kim');
    expect(within(section).queryByRole('button')).toBeNull();
    expect(within(section).queryByRole('combobox')).toBeNull();
  });

  it('is not there for guests while nobody is on the team', async () => {
    const { calls } = teamServer([]);
    renderWithStore(<TeamSection session={session()} isHost={false} />);
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(screen.queryByRole('region', { name: 'Team' })).toBeNull();
  });

  it('lets the host add someone by username with a role, change the role and take them off', async () => {
    const { calls } = teamServer([]);
    renderWithStore(<TeamSection session={session()} isHost />);
    const section = await screen.findByRole('region', { name: 'Team' });
    expect(within(section).getByText('No one is on the team yet.')).toBeInTheDocument();

    await userEvent.type(within(section).getByLabelText('Username'), '@kim');
    await userEvent.selectOptions(within(section).getByLabelText('Role'), 'Co-host');
    await userEvent.click(within(section).getByRole('button', { name: 'Add' }));
    const role = await within(section).findByRole('combobox', { name: "김모더's role" });
    expect(role).toHaveValue('cohost');
    expect(within(section).getByLabelText('Username')).toHaveValue('');
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(await put.json()).toEqual({ role: 'cohost' });

    await userEvent.selectOptions(role, 'Moderator');
    await waitFor(() => expect(within(section).getByRole('combobox', { name: "김모더's role" })).toHaveValue('moderator'));
    await userEvent.click(within(section).getByRole('button', { name: 'Take 김모더 off the team' }));
    expect(await within(section).findByText('No one is on the team yet.')).toBeInTheDocument();
    expect(writes(calls)).toEqual(['PUT /api/v1/sessions/s1/team/kim', 'PUT /api/v1/sessions/s1/team/kim', 'DELETE /api/v1/sessions/s1/team/kim']);
  });

  it("says why an appointment was refused, in the reader's language", async () => {
    let answer = problem(404, 'not_found', 'no such user');
    teamServer([], () => answer);
    renderWithStore(<TeamSection session={session()} isHost />);
    const section = await screen.findByRole('region', { name: 'Team' });
    await userEvent.type(within(section).getByLabelText('Username'), 'nobody');
    await userEvent.click(within(section).getByRole('button', { name: 'Add' }));
    expect(await within(section).findByRole('alert')).toHaveTextContent('No one has that username.');
    expect(within(section).getByLabelText('Username')).toHaveValue('nobody');

    answer = problem(409, 'wrong_state', 'a team has at most 20 members');
    await userEvent.click(within(section).getByRole('button', { name: 'Add' }));
    await waitFor(() => expect(within(section).getByRole('alert')).toHaveTextContent('A team has at most 20 people.'));

    answer = problem(400, 'invalid_input', 'the host is not a member of their own team');
    await userEvent.click(within(section).getByRole('button', { name: 'Add' }));
    await waitFor(() => expect(within(section).getByRole('alert')).toHaveTextContent('You host this session'));
    expect(screen.queryByText(/no such user|at most 20 members|their own team/)).toBeNull();
  });

  it('shows an ended session’s team to its host without controls', async () => {
    teamServer([member('kim', '김모더', 'moderator')]);
    renderWithStore(<TeamSection session={session({ state: 'ended' })} isHost />);
    const section = await screen.findByRole('region', { name: 'Team' });
    await within(section).findByText('김모더');
    expect(within(section).getByText('Moderator')).toBeInTheDocument();
    expect(within(section).queryByRole('button')).toBeNull();
    expect(within(section).queryByLabelText('Username')).toBeNull();
  });
});
