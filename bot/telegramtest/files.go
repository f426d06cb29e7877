package telegramtest

import (
	"fmt"
	"mime"
	"path"

	"github.com/go-telegram/bot/models"
)

type fileRec struct {
	id, unique, name, mime, path string
	data                         []byte
}

var fileDirs = map[MediaKind]string{
	MediaPhoto: "photos", MediaVoice: "voice", MediaVideo: "videos", MediaVideoNote: "video_notes",
	MediaAudio: "music", MediaAnimation: "animations", MediaDocument: "documents", MediaSticker: "stickers",
}

var fileExts = map[MediaKind]string{
	MediaPhoto: ".jpg", MediaVoice: ".oga", MediaVideo: ".mp4", MediaVideoNote: ".mp4",
	MediaAudio: ".mp3", MediaAnimation: ".mp4", MediaSticker: ".webp",
}

func (s *Server) newFileLocked(kind MediaKind, name string, data []byte) *fileRec {
	s.nextFile++
	n := s.nextFile
	ext := path.Ext(name)
	if ext == "" {
		ext = fileExts[kind]
	}
	dir := fileDirs[kind]
	if dir == "" {
		dir = "documents"
	}
	f := &fileRec{
		id:     fmt.Sprintf("%s-file-%d-AgACAgIAAxkB", kind, n),
		unique: fmt.Sprintf("AQAD%d", n),
		name:   name,
		mime:   mime.TypeByExtension(ext),
		path:   fmt.Sprintf("%s/file_%d%s", dir, n, ext),
		data:   data,
	}
	if f.data == nil {
		f.data = []byte(fmt.Sprintf("telegramtest fake %s #%d", kind, n))
	}
	s.files[f.id] = f
	if kind == MediaPhoto {
		s.files[f.id+"-m"] = f // the smaller photo size
	}
	return f
}

// PutFile stores a file as if a user had uploaded it and returns its file_id,
// for messages injected with [Server.SendMessage]. getFile and the file
// download URL serve it.
func (s *Server) PutFile(kind MediaKind, name string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newFileLocked(kind, name, append([]byte(nil), data...)).id
}

// File returns a stored file's content and name: user media, or a bot's upload.
func (s *Server) File(fileID string) (data []byte, name string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[fileID]
	if f == nil {
		return nil, "", false
	}
	return append([]byte(nil), f.data...), f.name, true
}

// setMedia fills the media field of m for kind, describing file f.
func setMedia(m *models.Message, kind MediaKind, f *fileRec, extra string) {
	size := int64(len(f.data))
	switch kind {
	case MediaPhoto:
		m.Photo = []models.PhotoSize{
			{FileID: f.id + "-m", FileUniqueID: f.unique + "-m", Width: 320, Height: 240, FileSize: int(size / 4)},
			{FileID: f.id, FileUniqueID: f.unique, Width: 1280, Height: 960, FileSize: int(size)},
		}
	case MediaVoice:
		m.Voice = &models.Voice{FileID: f.id, FileUniqueID: f.unique, Duration: 3, MimeType: "audio/ogg", FileSize: size}
	case MediaVideo:
		m.Video = &models.Video{FileID: f.id, FileUniqueID: f.unique, Width: 1280, Height: 720, Duration: 5, FileName: f.name, MimeType: "video/mp4", FileSize: size}
	case MediaVideoNote:
		m.VideoNote = &models.VideoNote{FileID: f.id, FileUniqueID: f.unique, Length: 384, Duration: 5, FileSize: int(size)}
	case MediaAudio:
		m.Audio = &models.Audio{FileID: f.id, FileUniqueID: f.unique, Duration: 120, FileName: f.name, MimeType: "audio/mpeg", FileSize: size}
	case MediaAnimation:
		m.Animation = &models.Animation{FileID: f.id, FileUniqueID: f.unique, Width: 320, Height: 240, Duration: 2, FileName: f.name, MimeType: "video/mp4", FileSize: size}
	case MediaSticker:
		if extra == "" {
			extra = "👍"
		}
		m.Sticker = &models.Sticker{FileID: f.id, FileUniqueID: f.unique, Type: "regular", Width: 512, Height: 512, Emoji: extra, FileSize: int(size)}
	default:
		m.Document = &models.Document{FileID: f.id, FileUniqueID: f.unique, FileName: f.name, MimeType: f.mime, FileSize: size}
	}
}
