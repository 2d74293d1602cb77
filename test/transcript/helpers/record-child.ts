// Child process for the crash test: records the demo session into argv[2] (optionally
// resuming it: argv[3] === 'resume'), so the parent can kill -9 it at any point.
import { loadTranscript } from '../../../src/transcript/reader.js';
import { closeFinished, planResume } from '../../../src/transcript/resume.js';
import { TranscriptWriter } from '../../../src/transcript/writer.js';
import { recordDemoSession } from './record-session.js';

const [path, mode] = process.argv.slice(2);
if (!path) throw new Error('usage: record-child.ts TRANSCRIPT [resume]');
if (mode === 'resume') {
  const plan = planResume(loadTranscript(path));
  if (plan.finished) {
    const w = new TranscriptWriter({ path, append: true });
    w.note({ type: 'transcript-resume', netwizVersion: 'test', fromStateSeq: plan.fromStateSeq, reissued: [] });
    closeFinished(plan, w);
    w.close();
    process.exit(0);
  }
  await recordDemoSession({
    transcript: path,
    append: true,
    ...(plan.state ? { resumeFrom: plan.state } : {}),
    note: { type: 'transcript-resume', netwizVersion: 'test', fromStateSeq: plan.fromStateSeq, reissued: plan.reissue.map((e) => e.id) },
  });
} else {
  await recordDemoSession({ transcript: path });
}
