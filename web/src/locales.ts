// UI text. Korean wording follows the original ASK2LIVE where it was good.
export const ko = {
  app: { name: 'ask2live', tagline: '질문하고, 라이브로 답을 듣는 Q&A' },
  nav: { home: '홈', my: '마이페이지', login: '로그인', register: '회원가입', logout: '로그아웃', language: '언어', skip: '본문으로 건너뛰기' },
  auth: {
    loginTitle: '로그인', registerTitle: '회원가입', username: '아이디', password: '패스워드', displayName: '닉네임',
    usernameHint: '영문 소문자, 숫자, _ . - 로 3~32자', passwordHint: '8자 이상',
    submitLogin: '로그인', submitRegister: '가입하기', noAccount: '계정이 없으신가요?', haveAccount: '이미 계정이 있으신가요?',
    badUsername: '아이디는 영문 소문자, 숫자, _ . - 로 3~32자여야 합니다.', badPassword: '패스워드는 8자 이상이어야 합니다.',
    badDisplayName: '닉네임을 1~40자로 입력해주세요.', loginRequired: '로그인이 필요합니다.',
  },
  main: {
    wishedLive: '찜했던 Live Q&A가 시작했어요!', live: 'LIVE 중인 Q&A', upcoming: '예정된 Q&A', recruiting: '게스트 모집 중인 Q&A',
    noLive: '라이브 중인 세션이 없어요', noUpcoming: '예정된 세션이 없어요', noRecruiting: '모집 중인 세션이 없어요',
    open: 'Live Q&A 만들기', nudge: '프로필 완성하셨나요? 회사, 분야, 소개를 채우면 게스트가 더 믿고 찾아와요.', nudgeAction: '프로필 채우기',
    welcome: '궁금한 건 미리 묻고, 라이브로 답을 들어요.',
  },
  session: {
    state: { recruiting: '모집 중', ready: '오픈 가능', scheduled: '예정', live: 'LIVE', ended: '종료', cancelled: '취소됨' },
    wishes: '찜 {{count}}/{{target}}', wishesNoTarget: '찜 {{count}}', wishesNoTarget_one: '찜 {{count}}', questions: '질문 {{count}}개', questions_one: '질문 {{count}}개', participants: '{{count}}명 참여 중',
    wish: '찜하기', unwish: '찜 취소하기', wished: '라이브가 열리면 알려줄게요!', startsAt: '라이브 예정 일자', topic: '라이브 주제',
    notScheduled: '일정 미정', host: '호스트', enter: '라이브 입장하기', archive: '답변 기록 보기', edit: '수정하기', delete: '삭제하기',
    confirm: '오픈 확정하기', goLive: '라이브하기', end: '라이브 종료하기', confirmDelete: '이 세션을 삭제할까요?',
    progress: '찜 진행률', notFound: '세션을 찾을 수 없습니다.', ownSession: '내가 연 세션입니다.',
  },
  q: {
    title: '사전 질문', listTitle: '등록된 질문', empty: '등록된 질문이 없습니다', ask: '질문하기', placeholder: '궁금한 점을 남겨주세요',
    submit: '등록', upvote: '추천', upvoted: '추천함', votes: '추천 {{count}}', edit: '수정', save: '저장', cancel: '취소',
    delete: '삭제', confirmDelete: '이 질문을 삭제할까요?', voice: '음성 질문', text: '텍스트 질문', mine: '내 질문',
    pre: '사전', answering: '지금 답변중!', answered: '답변 완료', dismissed: '넘김', tooLong: '최대 글자수는 {{max}}자입니다.',
    posted: '질문 등록 성공!', closed: '이 세션은 더 이상 질문을 받지 않습니다.', by: '{{name}}님의 질문',
  },
  form: {
    createTitle: 'Live Q&A 만들기', editTitle: 'Live Q&A 수정하기', title: '제목', description: '설명', startsAt: '시작 시간',
    target: '목표 게스트 수', targetHint: '0이면 모집 없이 바로 예정 상태가 됩니다.', openNow: '지금 당장 라이브 세션 열기',
    submitCreate: '만들기', submitEdit: '저장하기', titleRequired: '제목을 입력해주세요.', titleTooLong: '제목은 100자 이하여야 합니다.',
    descTooLong: '설명은 2,000자 이하여야 합니다.', startsFuture: '시작 시간은 미래여야 합니다.', startsRequired: '시작 시간을 정해주세요.',
    targetInvalid: '0 이상의 정수를 입력해주세요.', count: '{{n}}/{{max}}',
  },
  my: {
    title: '마이페이지', editProfile: '프로필 수정', hosting: '내가 연 Q&A', wished: '❤️ 찜한 Q&A', ended: '진행 완료 Q&A',
    noHosting: '아직 연 세션이 없어요', noWished: '찜한 세션이 없어요', noEnded: '종료된 세션이 없어요', publicProfile: '공개 프로필 보기',
  },
  profile: {
    editTitle: '프로필 수정', avatar: '프로필 사진', chooseAvatar: '사진 선택', uploadAvatar: '사진 올리기', displayName: '닉네임',
    company: '회사', workField: '분야', bio: '소개', save: '저장하기', saved: '저장했습니다.', avatarSaved: '사진을 바꿨습니다.',
    avatarType: 'JPEG, PNG, WebP, GIF 파일만 올릴 수 있습니다.', avatarSize: '5MB 이하의 사진만 올릴 수 있습니다.',
    upcoming: '예정된 세션', past: '지난 세션', none: '없음', notFound: '사용자를 찾을 수 없습니다.',
  },
  archive: {
    title: '답변 기록', empty: '답변된 질문이 없습니다.', endedAt: '{{time}}', askedBy: '{{name}}님의 질문',
  },
  live: {
    connecting: '연결 중…', reconnecting: '다시 연결 중…', leave: '나가기', share: '링크 복사', copied: '링크를 복사했습니다.',
    current: '지금 답변 중인 질문', noCurrent: '질문이 없습니다.', allAnswered: '모든 질문이 답변되었습니다.',
    queue: '등록된 질문', answered: '답변된 질문', noAnswered: '아직 답변된 질문이 없습니다.', chat: '채팅', chatPlaceholder: '메시지 보내기',
    send: '보내기', participants: '참여자', onAir: '발언 중', speaking: '말하는 중', raiseHand: '음성으로 질문하기 (손들기)',
    handRaised: '손을 들었어요. 차례가 되면 호스트가 마이크를 넘겨줍니다.', youOnAir: '지금 방송 중입니다 — 모두가 당신의 목소리를 듣고 있어요.',
    mute: '음소거', unmute: '음소거 해제', giveBack: '마이크 돌려주기', pick: '이 질문 답변하기', markAnswered: '답변완료',
    dismiss: '넘기기', grant: '마이크 주기', revoke: '마이크 회수', remove: '내보내기', endSession: '라이브 종료',
    confirmEnd: '라이브를 종료할까요? 모든 참여자의 방이 닫힙니다.', confirmRemove: '{{name}}님을 내보낼까요?',
    ended: '이미 라이브가 종료된 방입니다.', removed: '호스트가 당신을 방에서 내보냈습니다.', notFound: '방을 찾을 수 없습니다.',
    notLive: '아직 라이브가 시작되지 않았습니다.', tooManyTabs: '이 방을 너무 많은 탭에서 열었습니다. 다른 탭을 닫고 새로고침해 주세요.', protocolError: '방과 통신할 수 없습니다. 새로고침해 주세요.', goHome: '메인으로 가기',
    goArchive: '답변 기록 보기', micDenied: '[마이크 권한]이 차단되었습니다. 브라우저 설정에서 허용해주세요.', host: '호스트',
    voiceUnavailable: '이 서버에서는 음성을 쓸 수 없습니다. 질문과 채팅은 그대로 쓸 수 있어요.', enableSound: '소리 켜기', count: '{{count}}명', newQuestion: '새 질문: {{text}}', newChat: '{{name}}: {{text}}', live: 'LIVE', voiceQuestion: '(음성 질문입니다)',
  },
  common: {
    loading: '불러오는 중…', error: '문제가 생겼습니다.', retry: '다시 시도', network: '서버에 연결할 수 없습니다.', notFound: '페이지를 찾을 수 없습니다.',
    back: '돌아가기', close: '닫기', yes: '예', no: '아니오', more: '더 보기',
  },
};

export type Messages = typeof ko;

export const en: Messages = {
  app: { name: 'ask2live', tagline: 'Live Q&A, your questions first' },
  nav: { home: 'Home', my: 'My page', login: 'Log in', register: 'Sign up', logout: 'Log out', language: 'Language', skip: 'Skip to content' },
  auth: {
    loginTitle: 'Log in', registerTitle: 'Sign up', username: 'Username', password: 'Password', displayName: 'Display name',
    usernameHint: '3–32 characters: a–z, 0–9, _ . -', passwordHint: 'At least 8 characters',
    submitLogin: 'Log in', submitRegister: 'Create account', noAccount: 'No account yet?', haveAccount: 'Already have an account?',
    badUsername: 'Usernames are 3–32 characters of a–z, 0–9, _ . -', badPassword: 'Passwords have at least 8 characters.',
    badDisplayName: 'Enter a display name of 1–40 characters.', loginRequired: 'Please log in first.',
  },
  main: {
    wishedLive: 'Sessions you wished are live!', live: 'Live now', upcoming: 'Upcoming', recruiting: 'Recruiting guests',
    noLive: 'Nothing is live right now', noUpcoming: 'No upcoming sessions', noRecruiting: 'No sessions are recruiting',
    open: 'Open a session', nudge: 'Complete your profile — company, field and bio help guests find and trust you.', nudgeAction: 'Complete profile',
    welcome: 'Ask your questions ahead, hear the answers live.',
  },
  session: {
    state: { recruiting: 'Recruiting', ready: 'Ready', scheduled: 'Scheduled', live: 'LIVE', ended: 'Ended', cancelled: 'Cancelled' },
    wishes: '{{count}}/{{target}} wishes', wishesNoTarget: '{{count}} wishes', wishesNoTarget_one: '{{count}} wish', questions: '{{count}} questions', questions_one: '{{count}} question', participants: '{{count}} here',
    wish: 'Wish', unwish: 'Withdraw wish', wished: "We'll tell you when it goes live!", startsAt: 'Starts', topic: 'About',
    notScheduled: 'Not scheduled', host: 'Host', enter: 'Join live room', archive: 'See answered questions', edit: 'Edit', delete: 'Delete',
    confirm: 'Confirm', goLive: 'Go live', end: 'End session', confirmDelete: 'Delete this session?',
    progress: 'Wish progress', notFound: 'Session not found.', ownSession: 'You host this session.',
  },
  q: {
    title: 'Pre-questions', listTitle: 'Questions', empty: 'No questions yet', ask: 'Ask a question', placeholder: 'What would you like to know?',
    submit: 'Ask', upvote: 'Upvote', upvoted: 'Upvoted', votes: '{{count}} votes', edit: 'Edit', save: 'Save', cancel: 'Cancel',
    delete: 'Delete', confirmDelete: 'Delete this question?', voice: 'Voice question', text: 'Text question', mine: 'Yours',
    pre: 'Pre', answering: 'Answering now!', answered: 'Answered', dismissed: 'Skipped', tooLong: 'At most {{max}} characters.',
    posted: 'Question posted!', closed: 'This session no longer takes questions.', by: "{{name}}'s question",
  },
  form: {
    createTitle: 'Open a session', editTitle: 'Edit session', title: 'Title', description: 'Description', startsAt: 'Start time',
    target: 'Target guests', targetHint: '0 means no recruiting: the session is scheduled at once.', openNow: 'Open a live session right now',
    submitCreate: 'Create', submitEdit: 'Save', titleRequired: 'Enter a title.', titleTooLong: 'Titles have at most 100 characters.',
    descTooLong: 'Descriptions have at most 2,000 characters.', startsFuture: 'The start time must be in the future.', startsRequired: 'Choose a start time.',
    targetInvalid: 'Enter a whole number, 0 or more.', count: '{{n}}/{{max}}',
  },
  my: {
    title: 'My page', editProfile: 'Edit profile', hosting: 'Sessions I host', wished: '❤️ Wished', ended: 'Ended sessions',
    noHosting: "You haven't opened a session yet", noWished: "You haven't wished any session", noEnded: 'No ended sessions', publicProfile: 'View public profile',
  },
  profile: {
    editTitle: 'Edit profile', avatar: 'Avatar', chooseAvatar: 'Choose a picture', uploadAvatar: 'Upload picture', displayName: 'Display name',
    company: 'Company', workField: 'Field of work', bio: 'Bio', save: 'Save', saved: 'Saved.', avatarSaved: 'Picture updated.',
    avatarType: 'Only JPEG, PNG, WebP or GIF pictures.', avatarSize: 'Pictures must be 5 MB or smaller.',
    upcoming: 'Upcoming sessions', past: 'Past sessions', none: 'None', notFound: 'User not found.',
  },
  archive: {
    title: 'Answered questions', empty: 'No question was answered.', endedAt: '{{time}}', askedBy: 'Asked by {{name}}',
  },
  live: {
    connecting: 'Connecting…', reconnecting: 'Reconnecting…', leave: 'Leave', share: 'Copy link', copied: 'Link copied.',
    current: 'Current question', noCurrent: 'No questions yet.', allAnswered: 'Every question has been answered.',
    queue: 'Queue', answered: 'Answered', noAnswered: 'Nothing answered yet.', chat: 'Chat', chatPlaceholder: 'Say something',
    send: 'Send', participants: 'Participants', onAir: 'On air', speaking: 'speaking', raiseHand: 'Ask by voice (raise hand)',
    handRaised: 'Your hand is up. The host will pass you the mic when it is your turn.', youOnAir: 'You are on air — everyone can hear you.',
    mute: 'Mute', unmute: 'Unmute', giveBack: 'Give the mic back', pick: 'Answer this', markAnswered: 'Mark answered',
    dismiss: 'Skip', grant: 'Give mic', revoke: 'Take mic back', remove: 'Remove', endSession: 'End session',
    confirmEnd: 'End the session? The room closes for everyone.', confirmRemove: 'Remove {{name}} from the room?',
    ended: 'This live session has ended.', removed: 'The host removed you from the room.', notFound: 'No such room.',
    notLive: 'This session is not live yet.', tooManyTabs: 'This room is open in too many tabs. Close one and reload.', protocolError: 'Cannot talk to the room. Please reload.', goHome: 'Go to the main page',
    goArchive: 'See answered questions', micDenied: 'Microphone access is blocked. Allow it in your browser settings.', host: 'Host',
    voiceUnavailable: 'Voice is not available on this server; questions and chat still work.', enableSound: 'Turn on sound', count: '{{count}} here', newQuestion: 'New question: {{text}}', newChat: '{{name}}: {{text}}', live: 'LIVE', voiceQuestion: '(voice question)',
  },
  common: {
    loading: 'Loading…', error: 'Something went wrong.', retry: 'Retry', network: 'Cannot reach the server.', notFound: 'Page not found.',
    back: 'Back', close: 'Close', yes: 'Yes', no: 'No', more: 'More',
  },
};
