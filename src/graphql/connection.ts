import { ArgsType, Field, Int, ObjectType, registerEnumType, type ClassType } from 'type-graphql';
import { encodeCursor, type Page } from '../db/pagination';

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
  /** Counted only when a client selects totalCount (see `lazy`). */
  totalCount: PromiseLike<number>;
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

    // Not `simple`: the value is a lazy promise, which executors await only from a resolver's result.
    @Field(() => Int, { simple: false })
    totalCount: PromiseLike<number>;
  }
  return ConnectionType;
}

/** An edge encodes its cursor only if a client selects it (most lists are read without). */
class Edge<T> {
  constructor(
    readonly node: T,
    private readonly key: string[],
  ) {}

  get cursor(): string {
    return encodeCursor(this.key);
  }
}

/** Page information whose cursors, like an edge's, are encoded only if a client selects them. */
class LazyPageInfo implements PageInfo {
  constructor(
    private readonly keys: string[][],
    readonly hasNextPage: boolean,
    readonly hasPreviousPage: boolean,
  ) {}

  get startCursor(): string | null {
    return this.keys.length ? encodeCursor(this.keys[0]) : null;
  }

  get endCursor(): string | null {
    return this.keys.length ? encodeCursor(this.keys[this.keys.length - 1]) : null;
  }
}

/**
 * A value computed only when something awaits it. An executor awaits a field's value only when the
 * field is selected, so a lazy totalCount runs its count only for clients that ask for it.
 */
export function lazy<T>(compute: () => Promise<T>): PromiseLike<T> {
  let started: Promise<T> | undefined;
  return {
    then: (onFulfilled, onRejected) => (started ??= compute()).then(onFulfilled, onRejected),
  };
}

/** A page as a Relay connection; `count` runs only if the client selects totalCount. */
export function toConnection<R, T = R>(
  page: Page<R>,
  count: () => Promise<number>,
  map: (row: R) => T = (row) => row as unknown as T,
): ConnectionShape<T> {
  return {
    edges: page.rows.map((row, i) => new Edge(map(row), page.keys[i])),
    pageInfo: new LazyPageInfo(page.keys, page.hasNextPage, page.hasPreviousPage),
    totalCount: lazy(count),
  };
}
