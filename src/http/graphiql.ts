/**
 * GraphiQL as the gateway serves it: Yoga's bundled GraphiQL (no CDN) opening on the README's example queries,
 * with subscriptions that carry the Headers pane's token. Yoga's GraphiQL sends the Headers pane with queries and
 * mutations but not in the graphql-ws `connection_init`, so a subscription there was anonymous (UNAUTHENTICATED);
 * here the page gives its WebSocket transport `connectionParams` read from the Headers pane at connection time.
 */
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";

/**
 * The README's example queries (named, so that GraphiQL can run each), and a live subscription; the login example
 * names the gateway's own address.
 */
export const graphiqlDocument = (publicBaseUrl: string) => `# Portal Gateway. Log in first, for example with the development login:
#   curl -s -X POST ${publicBaseUrl}/auth/dev/login -H 'content-type: application/json' -d '{"operator": true}'
# and put the token in the Headers pane below: { "Authorization": "Bearer eyJ…" }
# Run an operation with the play button; subscriptions use the same token.

query Overview {
  viewer { kind label memberships { id role permissions merchant { id name } } access { merchantId actions } }
  salesUnits(first: 20, filter: { search: "nett" }) { totalCount nodes { id msn name environment status } }
  transactions(first: 50, filter: { status: [RESERVED, CAPTURED], search: "order-2026" }) {
    totalCount
    edges { cursor node { id status amount capturedAmount refundedAmount currency reference createdAt
      salesUnit { msn name } payer { name phoneNumber } operations { type amount actorLabel createdAt } } }
    pageInfo { hasNextPage endCursor }
  }
}

# Variables: { "salesUnitId": "<a SalesUnit id from Overview>" }
query Settlements($salesUnitId: ID!) {
  settlements(salesUnitId: $salesUnitId, first: 10) {
    nodes { periodStart periodEnd payoutDate gross { formatted } refunded { formatted } fee { formatted } net { minor formatted } reportUrl(format: CSV) }
  }
}

# Changes to payments as they happen (make one with requestPayment and simulateCustomerAction on a TEST unit).
subscription LiveTransactions {
  transactionEvents { id type occurredAt operationAmount transaction { reference status amount capturedAmount currency } salesUnit { msn name } }
}
`;

/** Where GraphiQL keeps the active tab's Headers pane (it persists headers; Yoga turns that on). */
const HEADERS_STORAGE_KEY = "graphiql:headers";

/**
 * Runs in the page before GraphiQL renders: `connectionParams` is a function the WebSocket transport calls when it
 * connects, answering the Headers pane's string values (`Authorization`, `Merchant-Serial-Number`), which the
 * gateway reads from `connectionParams` as from HTTP headers.
 */
const CONNECTION_PARAMS_SCRIPT = `<script>
  function portalGraphiQL(render, root, options) {
    options.connectionParams = function () {
      try {
        var headers = JSON.parse(localStorage.getItem(${JSON.stringify(HEADERS_STORAGE_KEY)}) || "{}");
        var params = {};
        for (var name in headers) if (typeof headers[name] === "string") params[name] = headers[name];
        return params;
      } catch (error) {
        return {};
      }
    };
    return render(root, options);
  }
</script>`;

const RENDER_CALL = "YogaGraphiQL.renderYogaGraphiQL(";
const ROOT_ELEMENT = '<div id="root"></div>';

export function renderPortalGraphiQL(options: Parameters<typeof renderGraphiQL>[0]): string {
  const html = renderGraphiQL(options);
  // An upgrade of Yoga's page that moves these would silently bring back anonymous subscriptions: fail loudly.
  if (!html.includes(RENDER_CALL) || !html.includes(ROOT_ELEMENT)) throw new Error("GraphiQL page layout changed: update src/http/graphiql.ts");
  return html.replace(ROOT_ELEMENT, `${ROOT_ELEMENT}\n${CONNECTION_PARAMS_SCRIPT}`).replace(RENDER_CALL, `portalGraphiQL(YogaGraphiQL.renderYogaGraphiQL, `);
}
