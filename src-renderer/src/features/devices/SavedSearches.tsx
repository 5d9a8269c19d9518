import { useState, type FormEvent } from 'react';
import type { SavedSearch } from '../../../../src-shared/domain/device';
import { errorText } from '../../shared/error-text';

/** Saved explorer searches: apply one, save the current text, filters and order under a name, or delete one. */
export function SavedSearches({
  saved,
  onApply,
  onSave,
  onDelete,
}: {
  saved: SavedSearch[];
  onApply(search: SavedSearch): void;
  onSave(name: string): Promise<void>;
  onDelete(id: number): Promise<void>;
}) {
  const [selected, setSelected] = useState('');
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);

  async function save(event: FormEvent) {
    event.preventDefault();
    try {
      await onSave(name);
      setNaming(false);
      setName('');
      setError(null);
    } catch (e) {
      setError(e);
    }
  }

  const current = saved.find((s) => String(s.id) === selected);
  return (
    <div className="devices-saved-searches" role="group" aria-label="Saved searches">
      <label htmlFor="saved-search">Saved searches</label>
      <select
        id="saved-search"
        value={selected}
        onChange={(e) => {
          setSelected(e.target.value);
          const search = saved.find((s) => String(s.id) === e.target.value);
          if (search) onApply(search);
        }}
      >
        <option value="">{saved.length === 0 ? 'None yet' : 'Choose…'}</option>
        {saved.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
      {current ? (
        <button type="button" onClick={() => void onDelete(current.id).then(() => setSelected(''))} aria-label={`Delete saved search ${current.name}`}>
          Delete
        </button>
      ) : null}
      {naming ? (
        <form className="inline" onSubmit={(e) => void save(e)}>
          <label htmlFor="saved-search-name" className="visually-hidden">
            Name of the search
          </label>
          <input id="saved-search-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Name" autoFocus />
          <button type="submit" className="primary">
            Save
          </button>
          <button type="button" onClick={() => setNaming(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => setNaming(true)}>
          Save this search
        </button>
      )}
      {error ? <p role="alert">{errorText(error)}</p> : null}
    </div>
  );
}
