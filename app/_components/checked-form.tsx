import type { ComponentPropsWithRef } from 'react';
import { preloadSchemas } from './check';

type Props = Omit<ComponentPropsWithRef<'form'>, 'onSubmit' | 'noValidate'> & { onSubmit: () => void | Promise<void> };

/**
 * A form that checks its input itself (with the server's schemas, check.ts) rather than through the browser's
 * bubbles, sends without reloading the page, and starts loading those schemas on its first focus.
 */
export function CheckedForm({ onSubmit, children, ...form }: Props) {
  return (
    <form
      noValidate
      onFocus={preloadSchemas}
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
      {...form}
    >
      {children}
    </form>
  );
}
