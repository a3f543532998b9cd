// Experiments in the app: the bundled examples, an experiment file the user
// opens, the run in progress (progress, cancel), and the results shown
// (from a run, or from a results file the user loads).

import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ExperimentExample, ExperimentProgress, ExperimentResults } from '../../../shared/experiment';
import { lab } from '../lab';
import { useNoticesStore } from './notices';

export const useExperimentsStore = defineStore('experiments', () => {
  const examples = ref<ExperimentExample[]>([]);
  /** The experiment to run: an example's spec or an opened file's contents. */
  const spec = ref<unknown>(null);
  const specName = ref('');
  const runId = ref<string | null>(null);
  const progress = ref<ExperimentProgress | null>(null);
  const results = ref<ExperimentResults | null>(null);
  const error = ref<string | null>(null);
  let listening = false;

  function listen(): void {
    if (listening) return;
    listening = true;
    lab().onEvent((e) => {
      if (e.type !== 'experiment' || e.runId !== runId.value) return;
      if (e.progress) progress.value = e.progress;
      if (e.results) {
        results.value = e.results;
        runId.value = null;
      }
      if (e.error) {
        error.value = e.error === 'cancelled' ? 'Cancelled.' : e.error;
        runId.value = null;
        if (e.error !== 'cancelled') useNoticesStore().error(`Experiment: ${e.error}`);
      }
    });
  }

  async function load(): Promise<void> {
    listen();
    const r = await lab().listExperiments({});
    if (r.ok) {
      examples.value = r.value;
      if (spec.value === null && r.value[0]) choose(r.value[0].spec, r.value[0].file);
    }
  }

  function choose(s: unknown, name: string): void {
    spec.value = s;
    specName.value = name;
    error.value = null;
  }

  /** An experiment file the user picked: parsed here, validated by the lab when it runs. */
  function openFile(name: string, text: string): void {
    try {
      choose(JSON.parse(text), name);
    } catch (e) {
      error.value = `${name} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /** A results file saved earlier. */
  function openResults(name: string, text: string): void {
    try {
      const r = JSON.parse(text) as ExperimentResults;
      if (!Array.isArray(r.runs) || typeof r.experiment !== 'string') throw new Error('no runs in it');
      results.value = r;
      error.value = null;
    } catch (e) {
      error.value = `${name} is not an experiment's results: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  async function run(): Promise<void> {
    listen();
    error.value = null;
    progress.value = null;
    const r = await lab().runExperiment({ spec: spec.value });
    if (!r.ok) {
      error.value = r.error.message;
      return;
    }
    runId.value = r.value.runId;
  }

  async function cancel(): Promise<void> {
    if (!runId.value) return;
    const r = await lab().cancelExperiment({ runId: runId.value });
    if (!r.ok) error.value = r.error.message;
  }

  return { examples, spec, specName, runId, progress, results, error, load, choose, openFile, openResults, run, cancel };
});
