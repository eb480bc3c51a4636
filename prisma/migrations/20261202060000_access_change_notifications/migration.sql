-- Gateways cache each token's principal and access; any change to what a principal may reach announces itself on
-- this channel at commit, whoever made it, so every instance drops its cached principals (src/auth/principal-cache.ts).
CREATE FUNCTION portal_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('portal_access_changed', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;

CREATE TRIGGER "PortalUser_access_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "PortalUser" FOR EACH STATEMENT EXECUTE FUNCTION portal_access_changed();
CREATE TRIGGER "Membership_access_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Membership" FOR EACH STATEMENT EXECUTE FUNCTION portal_access_changed();
CREATE TRIGGER "MembershipSalesUnit_access_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "MembershipSalesUnit" FOR EACH STATEMENT EXECUTE FUNCTION portal_access_changed();
CREATE TRIGGER "Partner_access_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Partner" FOR EACH STATEMENT EXECUTE FUNCTION portal_access_changed();
CREATE TRIGGER "PartnerKey_access_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "PartnerKey" FOR EACH STATEMENT EXECUTE FUNCTION portal_access_changed();
CREATE TRIGGER "SalesUnit_access_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "SalesUnit" FOR EACH STATEMENT EXECUTE FUNCTION portal_access_changed();
CREATE TRIGGER "ApiKeys_access_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ApiKeys" FOR EACH STATEMENT EXECUTE FUNCTION portal_access_changed();
CREATE TRIGGER "Operator_access_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Operator" FOR EACH STATEMENT EXECUTE FUNCTION portal_access_changed();
