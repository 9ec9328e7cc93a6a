import { jetBackwardShare, jetForwardShare } from './jet';
import { samplerShare } from './langevin';
import { adamShare } from './adam';
import { jobArg } from './pool';

// The jobs a pass can post to the thread pool (assembly/pool.ts), and each thread's share of one. A job's
// arguments are i32 slots (pointers, sizes, flags; f32 as their bits), written by the poster in the order its
// share function reads them.
export const JOB_JET_FORWARD = 1;
export const JOB_JET_BACKWARD = 2;
export const JOB_SAMPLER = 3;
export const JOB_ADAM = 4;

/** Thread id's share (of T) of the posted job. */
export function runShare(job: i32, id: i32, T: i32): void {
  if (job == JOB_JET_FORWARD) {
    jetForwardShare(jobArg(0), jobArg(1), jobArg(2), jobArg(3), jobArg(4), jobArg(5), jobArg(6), jobArg(7), jobArg(8),
      jobArg(9), jobArg(10) != 0, jobArg(11), id, T);
  } else if (job == JOB_JET_BACKWARD) {
    jetBackwardShare(jobArg(0), jobArg(1), jobArg(2), jobArg(3), jobArg(4), jobArg(5), jobArg(6), jobArg(7), jobArg(8),
      jobArg(9), jobArg(10), jobArg(11), jobArg(12), id, T);
  } else if (job == JOB_SAMPLER) {
    samplerShare(jobArg(0), jobArg(1), jobArg(2), jobArg(3), jobArg(4), jobArg(5), jobArg(6), jobArg(7), jobArg(8), id, T);
  } else if (job == JOB_ADAM) {
    adamShare(jobArg(0), jobArg(1), jobArg(2), jobArg(3), jobArg(4), reinterpret<f32>(jobArg(5)), reinterpret<f32>(jobArg(6)),
      reinterpret<f32>(jobArg(7)), reinterpret<f32>(jobArg(8)), jobArg(9), id, T);
  }
}
