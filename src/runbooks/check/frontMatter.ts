import { exerciseOf } from '../review';
import { ParsedRunbook, reviewDueDate } from '../runbook';
import { CheckInput, Finding, lineOfKey, SourceFile } from './types';

// Rules `front-matter`, `dashboards` (the uids the front matter names) and `stale` (the review date).

export function checkFrontMatter(file: SourceFile, parsed: ParsedRunbook, input: CheckInput): Finding[] {
  const findings: Finding[] = parsed.frontMatterProblems.map((problem) => ({
    file: file.path,
    line: lineOfKey(parsed, problem.key),
    severity: 'error',
    rule: 'front-matter',
    message: `front matter: ${problem.message}`,
    fix:
      'start the file with --- and the keys title, owner, escalation, last_reviewed (YYYY-MM-DD), ' +
      'review_every (days), alerts [..], dashboards [..], tags [..], optionally last_exercised (YYYY-MM-DD) and ' +
      'exercise_every (days), then ---',
  }));
  const frontMatter = parsed.frontMatter;
  if (!frontMatter) {
    return findings;
  }
  const title = parsed.headings.find((heading) => heading.depth === 1);
  if (!title || title.text !== frontMatter.title) {
    findings.push({
      file: file.path,
      line: title?.line ?? parsed.bodyLine,
      severity: 'error',
      rule: 'front-matter',
      message: title ? `the H1 "${title.text}" differs from the title "${frontMatter.title}"` : 'has no H1 title',
      fix: `make the first heading "# ${frontMatter.title}"`,
    });
  }
  if (input.dashboards) {
    for (const uid of frontMatter.dashboards.filter((uid) => !input.dashboards?.has(uid))) {
      findings.push({
        file: file.path,
        line: lineOfKey(parsed, 'dashboards'),
        severity: 'error',
        rule: 'dashboards',
        message: `front matter names dashboard uid "${uid}", which no provisioned dashboard has`,
        fix: `use one of ${[...input.dashboards].sort().join(', ')}, or provision a dashboard with uid "${uid}"`,
      });
    }
  }
  const due = reviewDueDate(frontMatter);
  if (due.getTime() <= input.today.getTime()) {
    findings.push({
      file: file.path,
      line: lineOfKey(parsed, 'last_reviewed'),
      severity: 'warning',
      rule: 'stale',
      message: `review was due on ${due.toISOString().slice(0, 10)} (last_reviewed ${frontMatter.lastReviewed} + ${frontMatter.reviewEvery} days)`,
      fix: 'walk through the procedure against the current platform, correct it, then set last_reviewed to today',
    });
  }
  const exercise = exerciseOf(frontMatter, input.today);
  if (exercise.state === 'never' || exercise.state === 'overdue') {
    findings.push({
      file: file.path,
      line: lineOfKey(parsed, 'last_exercised'),
      severity: 'warning',
      rule: 'stale',
      message:
        exercise.state === 'never'
          ? 'no drill of this procedure is recorded (last_exercised)'
          : `a drill was due on ${exercise.dueDate} (last_exercised ${frontMatter.lastExercised} + ${frontMatter.exerciseEvery} days)`,
      fix: 'follow the procedure for real in a drill (staging, or a game day), fix what did not work, then set last_exercised to its date',
    });
  }
  return findings;
}
