/** Relay global ids in tests: the API speaks them (`encodeGlobalID` from the relay plugin), rows carry the UUIDs. */
import { decodeGlobalID } from "@pothos/plugin-relay";

/** The database id inside a global id. */
export function uuidOf(globalId: string): string {
  return decodeGlobalID(globalId).id;
}
