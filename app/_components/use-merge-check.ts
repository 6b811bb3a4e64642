'use client';

import { skipToken, useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { spokenValue } from '@/server/custom-fields/rules';
import { mergeFieldProblem, mergeFieldsUsed, type MergeValues } from '@/server/messaging/merge-fields';
import { useTRPC } from '../trpc';

/** The church's custom fields (Settings → Member fields): their keys are merge fields too. */
export function useCustomFields() {
  const trpc = useTRPC();
  return useQuery(trpc.customFields.list.queryOptions(undefined, { staleTime: 60_000 }));
}

/** The church's own merge-field keys (`baptism_date`), or undefined until they have loaded. */
export function useCustomMergeKeys(): string[] | undefined {
  const { data } = useCustomFields();
  return data?.map((f) => f.key);
}

/**
 * `(text) => problem`: the server's own message for merge fields the church does not have ("Unknown merge field
 * {nick}. Use …"), or null. zod cannot know a church's keys, so forms check with this as the person types; until the
 * keys have loaded it says nothing (the server still refuses on save).
 */
export function useMergeCheck(): (text: string) => string | null {
  const keys = useCustomMergeKeys();
  const joined = keys?.join(' ');
  return useCallback(
    (text: string) => (joined === undefined ? null : mergeFieldProblem(text, joined ? joined.split(' ') : [])),
    [joined],
  );
}

/**
 * One member's custom-field values as a text says them ("March 31, 2024", "Yes"), by key, for previewing `text` as
 * they will get it; members.get is read only once the text uses one of the church's fields.
 */
export function useCustomMergeValues(memberId: string, text: string): MergeValues {
  const trpc = useTRPC();
  const fields = useCustomFields().data ?? [];
  const keys = fields.map((f) => f.key);
  const used = mergeFieldsUsed(text, keys).some((k) => keys.includes(k));
  const member = useQuery(trpc.members.get.queryOptions(used ? { id: memberId } : skipToken));
  if (!used || !member.data) return {};
  const values = member.data.fields;
  return Object.fromEntries(fields.map((f) => [f.key, spokenValue(f.type, values[f.id])]));
}
