import { Panel } from '../../_components/ui';

/** What staff see where an admin would find the sequence form. */
export function AdminsOnly({ title }: { title: string }) {
  return (
    <Panel title={title}>
      <p className="text-sm text-slate-600">
        Only admins and the owner create and change sequences, as they text people in your church’s name.
      </p>
    </Panel>
  );
}
