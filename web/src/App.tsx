import { useEffect, useMemo, useState } from 'react';
import { WillowClient } from './api.ts';
import { StartPage } from './StartPage.tsx';
import { Workbench } from './Workbench.tsx';
import { fetchOperations, type OperationSpec } from './ops.ts';

/** The session in the URL: /s/<sessionID> (so a reload or a shared link opens the same dataset). */
function sessionFromPath(): string | null {
  const m = /^\/s\/([0-9a-f]{30})\/?$/.exec(location.pathname);
  return m ? m[1] : null;
}

export function App() {
  const client = useMemo(() => new WillowClient(), []);
  const [sessionID, setSessionID] = useState<string | null>(sessionFromPath);
  const [operations, setOperations] = useState<OperationSpec[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    fetchOperations()
      .then(setOperations)
      .catch((e: Error) => setError(e.message));
    const pop = () => setSessionID(sessionFromPath());
    window.addEventListener('popstate', pop);
    return () => window.removeEventListener('popstate', pop);
  }, []);

  const open = (id: string | null) => {
    history.pushState(null, '', id ? `/s/${id}` : '/');
    setSessionID(id);
  };

  useEffect(() => {
    document.title = sessionID ? 'Willow — workbench' : 'Willow — open a dataset';
  }, [sessionID]);

  if (location.pathname.startsWith('/s/') && !sessionID) {
    return (
      <div className="fatal">
        <div className="card">
          <h1>This link is not a Willow session</h1>
          <p>A session link ends in 30 hexadecimal characters.</p>
          <button className="btn primary" onClick={() => open(null)}>
            Open a dataset
          </button>
        </div>
      </div>
    );
  }
  if (!sessionID) return <StartPage onOpen={open} />;
  if (error) return <div className="fatal">{error}</div>;
  // The grid does not wait for the operation list: the session's first rows come first.
  return <Workbench key={sessionID} client={client} sessionID={sessionID} operations={operations ?? []} onHome={() => open(null)} />;
}
