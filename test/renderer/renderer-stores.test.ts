import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCore, type Core } from '../../src-main/core/app/composition-root';
import { dispatch } from '../../src-main/core/app/dispatch';
import type { Channel, InputOf, OutputOf } from '../../src-shared/contract';
import type { ConsoleBridge } from '../../src-shared/contract/bridge';
import { errorCode, errorText, fieldErrors, plainIssue, splitError } from '../../src-renderer/src/shared/error-text';
import { call } from '../../src-renderer/src/shared/api';
import { useAudit } from '../../src-renderer/src/features/audit/audit-store';
import { useDeviceSyncCheck } from '../../src-renderer/src/features/devices/device-sync-check-store';
import { useDevices } from '../../src-renderer/src/features/devices/devices-store';
import { seedDevices } from '../support/seed-devices';
import { until } from '../support/until';
import { coverageKey, useIntegrations } from '../../src-renderer/src/features/integrations/integrations-store';
import { useOverview } from '../../src-renderer/src/features/overview/overview-store';
import { useSettings } from '../../src-renderer/src/features/settings/settings-store';
import { useWizard } from '../../src-renderer/src/features/wizard/wizard-store';
import { useVerify } from '../../src-renderer/src/features/trust/verify-store';

/**
 * The renderer's stores, without a browser: `window.api` is a bridge straight into the real core's handlers (real
 * SQLite in a temp directory, the contract's schemas on the way in and out, exactly as the rig and Electron do). To
 * make answers arrive out of order, the bridge can hold back the answer of a channel's next call: the call runs at
 * once (it reads the data of that moment) and its answer is delivered when the test releases it.
 */
class CoreBridge implements ConsoleBridge {
  readonly calls: { channel: string; input: unknown }[] = [];
  private readonly held = new Map<string, Promise<void>[]>();
  constructor(private readonly core: Core) {}

  /** The next call of `channel` answers only once the returned function is called. */
  holdNext(channel: Channel): () => void {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.held.set(channel, [...(this.held.get(channel) ?? []), gate]);
    return release;
  }

  async invoke<C extends Channel>(channel: C, input: InputOf<C>) {
    this.calls.push({ channel, input });
    const gate = this.held.get(channel)?.shift();
    const answer = dispatch(this.core.handlers, channel, input, { signal: new AbortController().signal });
    if (gate) await gate;
    return (await answer) as never;
  }

  on(name: string, listener: (payload: never) => void) {
    return this.core.events.subscribe((event, payload) => {
      if (event === name) listener(payload as never);
    });
  }

  async direct<C extends Channel>(channel: C, input: InputOf<C>): Promise<OutputOf<C>> {
    const envelope = await dispatch(this.core.handlers, channel, input, { signal: new AbortController().signal });
    if (!envelope.ok) throw new Error(`${channel}: ${envelope.error.message}`);
    return envelope.value as OutputOf<C>;
  }
}

let dataDir: string;
let core: Core;
let bridge: CoreBridge;

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-renderer-stores-'));
  core = createCore({ dataDir, version: '0.0.0-test', transport: 'web-test-rig' });
  bridge = new CoreBridge(core);
  (globalThis as { window?: unknown }).window = { api: bridge };
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  delete (globalThis as { window?: unknown }).window;
  await core.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('paging', () => {
  it('the audit store pages back through the log, newest first, with no entry twice and none left out', async () => {
    for (let hours = 1; hours <= 205; hours++) await bridge.direct('settings.update', { staleSyncHours: hours });
    const total = (await bridge.direct('audit.list', { limit: 500 })).length;
    expect(total).toBeGreaterThan(200);

    await useAudit.getState().load();
    expect(useAudit.getState().entries).toHaveLength(200);
    expect(useAudit.getState().hasOlder).toBe(true);

    await useAudit.getState().loadOlder();
    const seqs = useAudit.getState().entries.map((e) => e.seq);
    expect(seqs).toHaveLength(total);
    expect(new Set(seqs).size).toBe(total);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(useAudit.getState().hasOlder).toBe(false);
  });
});

describe('an answer to an older request never overwrites a newer one', () => {
  it('audit: a reload that answers last-but-one is dropped', async () => {
    const release = bridge.holdNext('audit.list');
    const first = useAudit.getState().load();
    await bridge.direct('settings.update', { staleSyncHours: 7 });
    await useAudit.getState().load();
    const newest = useAudit.getState().entries[0].seq;
    release();
    await first;
    expect(useAudit.getState().entries[0].seq).toBe(newest);
    expect(useAudit.getState().loading).toBe(false);
  });

  it('integrations: the list read before a setup started does not hide that setup', async () => {
    const release = bridge.holdNext('wizard.list');
    const first = useIntegrations.getState().load();
    const draft = await bridge.direct('wizard.start', {});
    await useIntegrations.getState().load();
    release();
    await first;
    expect(useIntegrations.getState().drafts.map((d) => d.id)).toContain(draft.id);
  });

  it('overview: counts read before an integration existed do not replace the newer ones', async () => {
    const release = bridge.holdNext('integrations.list');
    const first = useOverview.getState().load();
    await bridge.direct('integrations.create', { name: 'Acme Android', platform: 'android' });
    await useOverview.getState().load();
    release();
    await first;
    expect(useOverview.getState().integrations.map((i) => i.name)).toContain('Acme Android');
    expect(useOverview.getState().loading).toBe(false);
  });

  it('settings: a load still on its way does not put the old values back over a save', async () => {
    await bridge.direct('settings.update', { certificateWarningDays: 30 });
    const release = bridge.holdNext('settings.get');
    const load = useSettings.getState().load();
    await useSettings.getState().save({ certificateWarningDays: 45 });
    release();
    await load;
    expect(useSettings.getState().settings?.certificateWarningDays).toBe(45);
  });

  it('"Check if devices have synced": the answer for the identifier checked first is dropped', async () => {
    const integration = (await bridge.direct('integrations.list', undefined as never)).find((i) => i.name === 'Acme Android')!;
    const release = bridge.holdNext('devices.find');
    const first = useDeviceSyncCheck.getState().check(integration.id, 'first-identifier');
    await useDeviceSyncCheck.getState().check(integration.id, 'second-identifier');
    release();
    await first;
    const state = useDeviceSyncCheck.getState().byIntegration[integration.id];
    expect(state.check?.identifier).toBe('second-identifier');
    expect(state.busy).toBe(false);
  });
});

describe('debounced saves', () => {
  it('the wizard writes a burst of typing as one update once typing pauses, and the draft holds the last value', async () => {
    const draft = await bridge.direct('wizard.start', {});
    await useWizard.getState().open(draft.id);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const before = bridge.calls.length;
    for (const name of ['A', 'Ac', 'Acm', 'Acme iOS']) useWizard.getState().edit({ name });
    expect(useWizard.getState().draft?.name).toBe('Acme iOS');
    expect(bridge.calls.slice(before).filter((c) => c.channel === 'wizard.update')).toHaveLength(0);

    await vi.advanceTimersByTimeAsync(300);
    await new Promise((resolve) => setImmediate(resolve));
    const updates = bridge.calls.slice(before).filter((c) => c.channel === 'wizard.update');
    expect(updates).toEqual([{ channel: 'wizard.update', input: { id: draft.id, values: { name: 'Acme iOS' } } }]);
    expect((await bridge.direct('wizard.get', { id: draft.id })).name).toBe('Acme iOS');
  });
  it('an older save answering after a newer one does not put the earlier value back (a cleaned domain came back raw)', async () => {
    const draft = await bridge.direct('wizard.start', {});
    await useWizard.getState().open(draft.id);
    useWizard.getState().edit({ name: 'Pasted name' });
    const releaseFirst = bridge.holdNext('wizard.update');
    const first = useWizard.getState().flush();
    useWizard.getState().edit({ name: 'Cleaned name' });
    await useWizard.getState().flush();
    expect(useWizard.getState().draft?.name).toBe('Cleaned name');
    releaseFirst();
    await first;
    expect(useWizard.getState().draft?.name).toBe('Cleaned name');
    expect((await bridge.direct('wizard.get', { id: draft.id })).name).toBe('Cleaned name');
  });
});

describe('error mapping', () => {
  it('a refused setting comes back as a message for its field, in words an admin can act on', async () => {
    const failure = await useSettings
      .getState()
      .save({ staleSyncHours: Number.NaN, syncIntervalMinutes: -1 })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(fieldErrors(failure)).toEqual({
      staleSyncHours: 'Enter a whole number of hours, from 1 to 720 (30 days).',
      syncIntervalMinutes: 'Enter the minutes between background syncs as a whole number, from 0 (off) to 10080 (one week).',
    });
    // A form shows these beside their fields, and nothing more under it.
    expect(splitError(failure)).toEqual({ fields: fieldErrors(failure), failure: null });
  });

  it('an error no field explains is shown under the form, whole', async () => {
    const failure = await call('integrations.setStatus', { id: '00000000-0000-4000-8000-000000000000', status: 'all-users' }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(errorCode(failure)).toBe('INTEGRATION_NOT_FOUND');
    expect(splitError(failure)).toEqual({ fields: {}, failure });
  });

  it('an issue about the request as a whole (no field named) is shown under the form, not as a field nobody shows', async () => {
    // The input has a key the channel does not know: the object as a whole is refused.
    const failure = await call('integrations.setStatus', { id: '00000000-0000-4000-8000-000000000000', status: 'all-users', colour: 'blue' } as never).then(
      () => null,
      (error: unknown) => error,
    );
    expect(errorCode(failure)).toBe('VALIDATION_FAILED');
    expect(Object.keys(fieldErrors(failure))).toEqual(['']);
    const { fields, failure: underTheForm } = splitError(failure);
    expect(fields).toEqual({});
    expect(errorText(underTheForm)).toBe(fieldErrors(failure)['']);
    expect(errorText(underTheForm)).not.toBe('');
  });

  it('"Verify your setup" asks through its store: an answer is kept, a refused question clears it and reaches the form', async () => {
    await useVerify.getState().verify({ user: 'someone@example.com', identifier: 'NOT-SYNCED-ANYWHERE' });
    expect(useVerify.getState().verdict).toMatchObject({ user: 'someone@example.com', trusted: false });
    const refused = await useVerify
      .getState()
      .verify({ user: 'someone@example.com', identifier: '' })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(Object.keys(splitError(refused).fields)).toContain('identifier');
    expect(useVerify.getState().verdict).toBeNull();
  });

  it("rewrites the validator's own phrasing wherever a schema has no message of its own", () => {
    const issue = (schema: z.ZodType, value: unknown) => schema.safeParse(value).error!.issues[0].message;
    expect(plainIssue(issue(z.number().min(0), -1))).toBe('Enter 0 or more.');
    expect(plainIssue(issue(z.number(), null))).toBe('Enter a number.');
    expect(plainIssue(issue(z.number().max(10), 11))).toBe('Enter 10 or less.');
    expect(plainIssue(issue(z.string().min(3), 'ab'))).toBe('Enter at least 3 characters.');
    expect(plainIssue(issue(z.string().max(3), 'abcd'))).toBe('Use at most 3 characters.');
    expect(plainIssue('Enter a whole number of days, from 1 to 365.')).toBe('Enter a whole number of days, from 1 to 365.');
  });
});

describe("an integration's page changes it through the integrations store", () => {
  const page = () => useIntegrations.getState();
  const shown = (id: string) => page().overviews.find((o) => o.integration.id === id);
  const refusal = (change: Promise<unknown>) =>
    change.then(
      () => null,
      (error: unknown) => error,
    );

  it('status, configuration key and API details: each change is on the page once saved, a refusal reaches the form and changes nothing', async () => {
    const { id } = await bridge.direct('integrations.create', { name: 'Page Android', platform: 'android' });
    await page().load();

    await page().setStatus({ id, status: 'test-group', testGroup: ['ada@example.com'] });
    expect(shown(id)?.integration).toMatchObject({ status: 'test-group', testGroup: ['ada@example.com'] });
    expect(fieldErrors(await refusal(page().setStatus({ id, status: 'test-group', testGroup: [] })))).toHaveProperty('testGroup');
    expect(shown(id)?.integration.status).toBe('test-group');

    expect(errorCode(await refusal(page().enterConfigurationKey({ id, key: 'my-own-key' })))).toBe('CONFIGURATION_KEY_UNUSUAL');
    expect(shown(id)?.integration.configurationKey).toBeNull();
    await page().enterConfigurationKey({ id, key: 'DPK0W0KLPJLOGSKHTDD' });
    expect(shown(id)?.integration.configurationKey).toBe('DPK0W0KLPJLOGSKHTDD');

    expect(fieldErrors(await refusal(page().updateApiDetails({ id, domain: 'not a domain', email: 'api@acmecorp.example' })))).toHaveProperty('domain');
    await page().updateApiDetails({ id, domain: 'acmecorp.mobileiron.com', email: 'api@acmecorp.example' });
    expect(shown(id)?.integration).toMatchObject({ domain: 'acmecorp.mobileiron.com', email: 'api@acmecorp.example' });
    // The whole overview was read again: the warning now names only what is still missing.
    expect(shown(id)?.warnings.find((w) => w.code === 'credentials-missing')?.message).toBe('API details incomplete (password in the keychain): syncs cannot run.');
  });

  it('deleting needs the name typed; once deleted, the list shows without it. A discarded setup leaves the list', async () => {
    const { id } = await bridge.direct('integrations.create', { name: 'Page to delete', platform: 'android' });
    const draft = await bridge.direct('wizard.start', {});
    page().show({ kind: 'detail', id });
    await page().load();

    expect(fieldErrors(await refusal(page().remove({ id, confirmName: 'Page to', purgeDevices: false })))).toHaveProperty('confirmName');
    expect(page().view).toEqual({ kind: 'detail', id });
    expect(shown(id)).toBeDefined();
    await page().remove({ id, confirmName: 'Page to delete', purgeDevices: false });
    expect(page().view).toEqual({ kind: 'list' });
    expect(shown(id)).toBeUndefined();

    expect(page().drafts.map((d) => d.id)).toContain(draft.id);
    await page().discardDraft(draft.id);
    expect(page().drafts.map((d) => d.id)).not.toContain(draft.id);
  });

  it('the migration compares the coverage of a legacy integration and its replacement, and keeps a refusal for the panel', async () => {
    const legacy = await bridge.direct('integrations.create', { name: 'Page legacy', platform: 'ios-certs', acknowledgeLegacy: true });
    const replacement = await bridge.direct('integrations.create', { name: 'Page legacy (App Config)', platform: 'ios-appconfig' });
    seedDevices(core.services.db, { count: 4, seed: 'page-legacy', integration: legacy.id });

    const release = bridge.holdNext('integrations.compareCoverage');
    const comparing = page().compareCoverage(legacy.id, replacement.id);
    expect(page().coverage[coverageKey(legacy.id, replacement.id)]).toEqual({ comparison: null, error: null });
    release();
    await comparing;
    const comparison = await bridge.direct('integrations.compareCoverage', { legacyId: legacy.id, replacementId: replacement.id });
    expect(comparison).toMatchObject({ legacy: { name: 'Page legacy' }, replacement: { name: 'Page legacy (App Config)', activeDevices: 0 } });
    expect(comparison.onlyLegacy).toBeGreaterThan(0);
    expect(page().coverage[coverageKey(legacy.id, replacement.id)]).toEqual({ comparison, error: null });

    // The replacement compared the wrong way round: not a legacy integration.
    await page().compareCoverage(replacement.id, legacy.id);
    const refused = page().coverage[coverageKey(replacement.id, legacy.id)];
    expect(refused?.comparison).toBeNull();
    expect(errorText(refused?.error)).toBe('Compare a legacy iOS certificate integration with an iOS (App Config) integration.');
  });
});

describe('the explorer after a sync', () => {
  it('a sync that ends while the explorer is shown brings its count, rows and choices up to date, keeping the query and place', async () => {
    const fleet = seedDevices(core.services.db, { count: 150, seed: 'explorer-refresh', integration: { name: 'Refresh fleet', platform: 'android' } });
    const explorer = useDevices.getState();
    const stopListening = explorer.listen();
    try {
      await explorer.loadOptions();
      const fleetBefore = useDevices.getState().facets!.total;
      explorer.applyQuery({ integrationId: fleet.integrationId, sort: { column: 'deviceName', direction: 'asc' } });
      await until('the explorer counted the seeded fleet', () => useDevices.getState().total === 150);
      useDevices.getState().showRange(120, 149);
      await until('the second page is shown', () => useDevices.getState().pages[1]?.length === 50);
      const { generation, query } = useDevices.getState();

      // What a sync of this integration brings: 30 more devices, then its sync.finished (as the sync worker sends it).
      seedDevices(core.services.db, { count: 30, seed: 'explorer-refresh', firstIndex: 150, integration: fleet.integrationId });
      const [run] = await bridge.direct('sync.runs', { integrationId: fleet.integrationId, limit: 1 });
      core.events.emit('sync.finished', { integrationId: fleet.integrationId, runId: run.id, run });

      await until('the explorer counted the devices the sync added', () => useDevices.getState().total === 180);
      await until('the page on screen was read again', () => useDevices.getState().pages[1]?.length === 80);
      const after = useDevices.getState();
      expect(after.generation).toBe(generation); // the table does not jump back to the top
      expect(after.query).toEqual(query);
      await until('the filter choices count the new devices', () => useDevices.getState().facets?.total === fleetBefore + 30);
    } finally {
      stopListening();
    }
  });

  it('a sync that ends while the explorer is not shown brings it up to date when it is shown again', async () => {
    const fleet = seedDevices(core.services.db, { count: 10, seed: 'explorer-away', integration: { name: 'Away fleet', platform: 'android' } });
    const stopFirst = useDevices.getState().listen();
    useDevices.getState().applyQuery({ integrationId: fleet.integrationId });
    await until('the explorer counted the fleet', () => useDevices.getState().total === 10);
    stopFirst();

    seedDevices(core.services.db, { count: 5, seed: 'explorer-away', firstIndex: 10, integration: fleet.integrationId });
    const [run] = await bridge.direct('sync.runs', { integrationId: fleet.integrationId, limit: 1 });
    const callsBefore = bridge.calls.length;
    core.events.emit('sync.finished', { integrationId: fleet.integrationId, runId: run.id, run });
    // Nothing is read for an explorer nobody sees (a call starts at once, so it would be listed already).
    expect(bridge.calls.slice(callsBefore).map((c) => c.channel)).toEqual([]);
    expect(useDevices.getState().total).toBe(10);

    const stopAgain = useDevices.getState().listen();
    try {
      await until('the explorer shown again counts the devices the sync added', () => useDevices.getState().total === 15);
    } finally {
      stopAgain();
    }
  });
});
