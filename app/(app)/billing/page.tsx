import { redirect } from 'next/navigation';

/** The address people type: the billing page lives under Settings. */
export default function BillingRedirect() {
  redirect('/settings/billing');
}
