// A role assignment as the REST API shows it (Microsoft.Authorization/roleAssignments) and as the
// catalog keeps it: who (a principal's object id) holds which built-in role over which scope. The
// roles themselves and what each may do are in src/identity/roles.ts.
export const ROLE_ASSIGNMENT_TYPE = 'Microsoft.Authorization/roleAssignments';

/** Azure's ids of the built-in roles dpvault knows. */
export const BUILT_IN_ROLE_IDS = Object.freeze({
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  'Backup Contributor': '5e467623-bb1f-42f4-a55d-6e525e11384b',
  'Backup Operator': '00c29273-979b-4161-815c-10b084fb9324',
  'Backup Reader': 'a795c7a0-d4a2-40c1-ae25-d81f01202912',
  'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  'Monitoring Reader': '43d0d8ad-25c7-4714-9337-8ba259a9fe05',
  'PostgreSQL Flexible Server Long Term Retention Backup Role': 'c088a766-074b-43ba-90d4-1fb21feae531',
} as const);

export type BuiltInRoleName = keyof typeof BUILT_IN_ROLE_IDS;

export interface RoleAssignment {
  id: string;
  name: string;
  type: typeof ROLE_ASSIGNMENT_TYPE;
  properties: {
    /** `/providers/Microsoft.Authorization/roleDefinitions/{guid}` (or under a subscription). */
    roleDefinitionId: string;
    principalId: string;
    principalType: 'ServicePrincipal';
    /** `/` (every subscription), `/subscriptions/{s}`, a resource group's id or a resource's id. */
    scope: string;
    createdOn: string;
  };
}

/** The id of an assignment named `name` (a GUID) over `scope`. */
export function roleAssignmentId(scope: string, name: string): string {
  return `${scope === '/' ? '' : scope.replace(/\/+$/, '')}/providers/Microsoft.Authorization/roleAssignments/${name}`;
}

/** The catalog record (a StoredResource) of an assignment of a built-in role. */
export function roleAssignmentRecord(a: { scope: string; principalId: string; role: BuiltInRoleName; name: string; createdOn: string }): {
  id: string;
  type: typeof ROLE_ASSIGNMENT_TYPE;
  parentId: null;
  body: RoleAssignment;
} {
  const id = roleAssignmentId(a.scope, a.name);
  return {
    id,
    type: ROLE_ASSIGNMENT_TYPE,
    parentId: null,
    body: {
      id,
      name: a.name,
      type: ROLE_ASSIGNMENT_TYPE,
      properties: {
        roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLE_IDS[a.role]}`,
        principalId: a.principalId,
        principalType: 'ServicePrincipal',
        scope: a.scope,
        createdOn: a.createdOn,
      },
    },
  };
}
