import { useCallback, useEffect, useRef, useState } from "react";
import type { MemberSettings, SettingsUpdate } from "../../shared/api/contract";
import type { ApiClient } from "../api/client";

export const RECHECK_NOTICE = "The last 6 months will be re-checked on the next sync.";

export type ToggleKey = keyof SettingsUpdate;

export interface SettingsController {
  settings: MemberSettings | null;
  problem: unknown;
  /** What is being saved right now: a toggle key, "alias:<address>" or null. */
  saving: string | null;
  /** Set after a successful save: "Saved. The last 6 months will be re-checked on the next sync." */
  savedNotice: string | null;
  reload(): Promise<void>;
  setToggle(key: ToggleKey, value: boolean): Promise<boolean>;
  addAlias(address: string): Promise<boolean>;
  removeAlias(address: string): Promise<boolean>;
}

export function useSettings(api: ApiClient): SettingsController {
  const [settings, setSettings] = useState<MemberSettings | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [saving, setSaving] = useState<string | null>(null);
  const [savedNotice, setSavedNotice] = useState<string | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const reload = useCallback(async () => {
    try {
      const next = await api.settings();
      if (!mounted.current) return;
      setSettings(next);
      setProblem(null);
    } catch (error) {
      if (mounted.current) setProblem(error);
    }
  }, [api]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const save = useCallback(async (key: string, action: () => Promise<MemberSettings>): Promise<boolean> => {
    setSaving(key);
    setSavedNotice(null);
    try {
      const next = await action();
      if (!mounted.current) return true;
      setSettings(next);
      setProblem(null);
      setSavedNotice(`Saved. ${RECHECK_NOTICE}`);
      return true;
    } catch (error) {
      if (mounted.current) setProblem(error);
      return false;
    } finally {
      if (mounted.current) setSaving(null);
    }
  }, []);

  return {
    settings,
    problem,
    saving,
    savedNotice,
    reload,
    setToggle: (key, value) => save(key, () => api.updateSettings({ [key]: value })),
    addAlias: (address) => save(`alias:${address}`, () => api.addAlias(address)),
    removeAlias: (address) => save(`alias:${address}`, () => api.removeAlias(address)),
  };
}
