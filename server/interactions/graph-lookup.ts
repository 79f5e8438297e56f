/**
 * "Why" for a message the sync has not stored: read that one message from Graph with the member's
 * token, through the sync's driver (its throttling, Retry-After and token refresh apply). By id
 * (the pane's REST id; Prefer IdType="ImmutableId" gives back the immutable id the sync stores) or
 * by internetMessageId (a $filter that matches one message, $top=1).
 */
import { isNotFound } from "../sync/errors";
import { EVENT_DETAILS_SELECT, MESSAGE_SELECT, type GraphEvent, type GraphMessage } from "../sync/mapping";

export interface MessageLookup {
  /** One message by Graph id; null when the member's mailbox has none with that id. */
  getMessage(memberId: string, id: string): Promise<GraphMessage | null>;
  /** One message by internetMessageId; null when there is none. */
  findMessage(memberId: string, internetMessageId: string): Promise<GraphMessage | null>;
  /** One calendar event by id (an appointment opened in the pane); null when there is none. */
  getEvent?(memberId: string, id: string): Promise<GraphEvent | null>;
}

/** The part of the sync's GraphDriver this needs. */
export interface GraphGetter {
  get<T>(memberId: string, pathOrUrl: string, options?: { prefer?: string[] }): Promise<T>;
}

const EVENT_SELECT = `${EVENT_DETAILS_SELECT},type,iCalUId,seriesMasterId,originalStart,start,end,isCancelled,isOrganizer,responseStatus`;

export function graphMessageLookup(driver: GraphGetter): MessageLookup {
  const orNull = async <T>(p: Promise<T>): Promise<T | null> => {
    try {
      return await p;
    } catch (error) {
      // An id from another mailbox, or a malformed one, is "not here" either way.
      if (isNotFound(error) || (error as { status?: number }).status === 400) return null;
      throw error;
    }
  };
  return {
    getMessage: (memberId, id) => orNull(driver.get<GraphMessage>(memberId, `/me/messages/${encodeURIComponent(id)}?$select=${MESSAGE_SELECT}`)),
    async findMessage(memberId, internetMessageId) {
      const literal = internetMessageId.replace(/'/g, "''");
      const filter = encodeURIComponent(`internetMessageId eq '${literal}'`);
      const page = await orNull(driver.get<{ value?: GraphMessage[] }>(memberId, `/me/messages?$filter=${filter}&$top=1&$select=${MESSAGE_SELECT}`));
      return page?.value?.[0] ?? null;
    },
    getEvent: (memberId, id) =>
      orNull(driver.get<GraphEvent>(memberId, `/me/events/${encodeURIComponent(id)}?$select=${EVENT_SELECT}`, { prefer: ['outlook.timezone="UTC"'] })),
  };
}
