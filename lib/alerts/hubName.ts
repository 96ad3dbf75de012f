/** `contoso-fleet-hub` from its ARM ID. */
export function hubName(resourceId: string): string {
  return resourceId.split('/').pop() ?? resourceId;
}
