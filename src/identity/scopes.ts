// Role assignment scopes: the pure rules live in domain/scopes.ts, where the services (which may
// not import identity) read them too.
export * from '../domain/scopes.ts';
