import { ArgsType, Field, Int, ObjectType, registerEnumType, type ClassType } from 'type-graphql';
import type { Page } from '../db/pagination';

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, { name: 'SortDirection' });

@ObjectType({ description: 'Relay page information' })
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field()
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true })
  startCursor: string | null;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size: default 50, at most 500' })
  first?: number;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge already seen' })
  after?: string;
}

export interface ConnectionShape<T> {
  edges: Array<{ node: T; cursor: string }>;
  pageInfo: PageInfo;
  /** Counted only when a client selects totalCount: GraphQL's default resolver calls the function then. */
  totalCount: () => Promise<number>;
}

/** Builds `<Node>Connection` and `<Node>Edge` types for a node type. */
export function Connection<T extends object>(nodeType: ClassType<T>) {
  @ObjectType(`${nodeType.name}Edge`)
  class Edge {
    @Field(() => nodeType)
    node: T;

    @Field()
    cursor: string;
  }

  @ObjectType()
  abstract class ConnectionType implements ConnectionShape<T> {
    @Field(() => [Edge])
    edges: Edge[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    // `simple`: the default resolver, which calls the function a connection carries.
    @Field(() => Int, { simple: true })
    totalCount: () => Promise<number>;
  }
  return ConnectionType;
}

/** A page as a Relay connection; `count` runs only if the client selects totalCount. */
export function toConnection<R, T = R>(
  page: Page<R>,
  count: () => Promise<number>,
  map: (row: R) => T = (row) => row as unknown as T,
): ConnectionShape<T> {
  return {
    edges: page.rows.map((row, i) => ({ node: map(row), cursor: page.cursors[i] })),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.cursors[0] ?? null,
      endCursor: page.cursors[page.cursors.length - 1] ?? null,
    },
    totalCount: count,
  };
}
