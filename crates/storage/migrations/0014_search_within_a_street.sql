-- A search within a street or a community (a caseworker's, a street officer's) reads the scope's
-- entries of this index and matches the key (a name, or an ID number's prefix) on them, looking up
-- only the persons it returns. From the key's own index, a common surname or the ID prefix 4401
-- walked most of its matches across the city to find a street's: 35-60 ms for a surname in a
-- community, 250-400 ms for 4401, at 1M persons. persons_unit (residence_unit alone) is its
-- leading part. One index, not one per key: each index of persons is paid for at every import.
CREATE INDEX persons_unit_name ON persons (residence_unit, name, birth_date, id_number);
DROP INDEX persons_unit;
