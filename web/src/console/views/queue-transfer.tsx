// Moving a ticket to another department (or another room of this one).
import { useState } from 'preact/hooks';
import type { StaffQueueBoard } from '../../../../src/domain/queue.ts';
import { useSession } from '../context.ts';

export function TransferForm(props: {
  ticket: StaffQueueBoard['tickets'][number];
  department: string;
  onCancel: () => void;
  onTransfer: (to: { department: string; room?: string }) => void;
}) {
  const { t, labels } = useSession();
  const [department, setDepartment] = useState(props.department);
  const [room, setRoom] = useState('');
  const sameWithoutRoom = department === props.department && !room.trim();
  return (
    <section class="card spaced-below" aria-labelledby="h-transfer">
      <h2 id="h-transfer">{t('queue.transferTitle', { label: props.ticket.label })}</h2>
      <div class="row">
        <label>
          {t('queue.department')}
          <select value={department} onChange={(event) => setDepartment(event.currentTarget.value)}>
            {Object.entries(labels.department).map(([code, name]) => (
              <option key={code} value={code}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('queue.transferRoom')}
          <input value={room} maxLength={24} onInput={(event) => setRoom(event.currentTarget.value)} />
        </label>
      </div>
      <div class="row">
        <button
          type="button"
          class="primary"
          disabled={sameWithoutRoom}
          onClick={() => props.onTransfer(room.trim() ? { department, room: room.trim() } : { department })}
        >
          {t('queue.transferButton')}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          {t('payments.back')}
        </button>
      </div>
    </section>
  );
}
