-- expect_rows: lets one data-modifying statement refuse to take effect. A statement that must change exactly
-- `expected` rows (an optimistic write: UPDATE … WHERE version = <the version read>) passes the count of what its
-- UPDATE returned; any other count raises serialization_failure (SQLSTATE 40001), which rolls back everything the
-- statement did, its other CTEs included, and tells the caller that trying again (here: the locked way) is safe.
CREATE FUNCTION expect_rows(actual bigint, expected bigint, what text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF actual IS DISTINCT FROM expected THEN
    RAISE EXCEPTION USING ERRCODE = 'serialization_failure', MESSAGE = what;
  END IF;
  RETURN true;
END
$$;
