// A resource group as the REST API shows it: the container every other resource lives in.
export const RESOURCE_GROUP_TYPE = 'Microsoft.Resources/resourceGroups';

export interface ResourceGroup {
  id: string;
  name: string;
  type: string;
  location: string;
  managedBy: string | null;
  properties: { provisioningState: string };
  tags: Record<string, string> | null;
}
